"""The words of a generated site: names from the partners' countries, forum cases and
answers of the kind members write, and course material for generated courses. Each
piece is short; the generator combines them, so thousands of posts read differently."""
from __future__ import annotations

FIRST_NAMES = {
    "ES": ["Lucía", "Javier", "Marta", "Sergio", "Nuria", "Andrés", "Carmen", "Pablo"],
    "DK": ["Mette", "Søren", "Line", "Jesper", "Camilla", "Anders", "Freja", "Mikkel"],
    "IT": ["Giulia", "Marco", "Chiara", "Luca", "Francesca", "Davide", "Elena", "Matteo"],
    "GR": ["Eleni", "Giorgos", "Katerina", "Nikos", "Maria", "Dimitris", "Sofia", "Kostas"],
    "FR": ["Camille", "Julien", "Claire", "Thomas", "Sophie", "Nicolas", "Inès", "Hugo"],
    "DE": ["Anna", "Lukas", "Katharina", "Jonas", "Lea", "Felix", "Miriam", "Tobias"],
    "PT": ["Inês", "João", "Beatriz", "Tiago", "Mariana", "Rui", "Catarina", "Pedro"],
    "NL": ["Sanne", "Daan", "Femke", "Bram", "Lotte", "Ruben", "Eva", "Thijs"],
    "CZ": ["Tereza", "Jakub", "Lucie", "Ondřej", "Kateřina", "Petr", "Veronika", "Tomáš"],
    "AT": ["Johanna", "Florian", "Verena", "Stefan", "Theresa", "Lukas", "Sarah", "Markus"],
}
LAST_NAMES = {
    "ES": ["García", "Martínez", "López", "Sánchez", "Romero", "Navarro"],
    "DK": ["Nielsen", "Jensen", "Hansen", "Pedersen", "Andersen", "Larsen"],
    "IT": ["Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano"],
    "GR": ["Papadopoulou", "Georgiou", "Nikolaou", "Dimitriou", "Ioannou", "Vasileiou"],
    "FR": ["Martin", "Bernard", "Dubois", "Durand", "Moreau", "Laurent"],
    "DE": ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Becker"],
    "PT": ["Silva", "Santos", "Ferreira", "Pereira", "Oliveira", "Costa"],
    "NL": ["de Jong", "Jansen", "de Vries", "van Dijk", "Bakker", "Visser"],
    "CZ": ["Nováková", "Svoboda", "Dvořáková", "Černý", "Procházková", "Kučera"],
    "AT": ["Gruber", "Huber", "Bauer", "Wagner", "Pichler", "Steiner"],
}
COUNTRY_LANGUAGE = {"ES": "es", "DK": "da", "IT": "it", "GR": "el", "FR": "fr", "DE": "de", "PT": "pt",
                    "NL": "nl", "CZ": "cs", "AT": "de"}
PROFESSIONS = ["counsellor", "social_worker", "job_coach", "trainer", "pes_staff", "other"]
ORGANISATIONS = ["Municipal job centre", "Refugee council", "Probation service", "Youth guarantee office",
                 "Social cooperative", "Adult education centre", "NGO for homeless people", "Reception centre"]

# Forum cases: (title, opening post). Replies come from REPLIES, chosen by the generator.
CASES = [
    ("Client with a pending asylum claim asks about work",
     "A man from Eritrea has been registered as an applicant for four months. He asks whether he may take a "
     "cleaning job his cousin found. What do you check first, and who confirms it in your country?"),
    ("Recognition of a nursing diploma from Syria",
     "A client trained as a nurse in Aleppo. Her documents are incomplete. Which routes to partial recognition "
     "or a skills assessment have worked for you?"),
    ("NEET outreach: young people who never answer letters",
     "We send invitations from the employment service and about a third of the young people never reply. "
     "Has anyone tried street work, youth clubs or messaging apps for the first contact?"),
    ("Leaving prison next month without an address",
     "A client is released in five weeks. He has no flat and lost his benefits during detention. "
     "How do you plan the first 72 hours with the prison social service?"),
    ("Interpreter or not for a first profiling interview?",
     "The client speaks some English but the interview covers health and debts. Do you book a professional "
     "interpreter from the start, and how do you explain the choice to the client?"),
    ("Employer wants a trial day without a contract",
     "A bakery offers one of my clients an unpaid trial week. The client is keen. Where is the line between a "
     "work trial and undeclared work, and how do you talk to the employer about it?"),
    ("Consent to share information with the housing office",
     "The housing office asks for our case notes. The client signed a general consent form two years ago. "
     "Is that enough under the GDPR, or do we ask again for this purpose?"),
    ("Burn-out in the team after a difficult winter",
     "Three colleagues are on sick leave. Caseloads went up by a third. What supervision or peer support "
     "formats help you keep going without losing the quality of the work?"),
    ("Job coaching for a client with psychosis in remission",
     "Individual Placement and Support is new for us. How soon do you start the job search, and how do you "
     "agree with the psychiatrist what the employer is told?"),
    ("Language course waiting list of six months",
     "The official integration course starts in spring. The client wants to work now. Which combinations of "
     "job and language learning have you seen work?"),
    ("Mentoring programme: how to match mentors and mentees",
     "We recruit volunteer mentors from local businesses. What do you ask both sides before matching, and how "
     "often do you check in during the first months?"),
    ("Evaluating a placement programme with few resources",
     "The funder asks for outcomes after twelve months. We have no research budget. Which indicators did you "
     "collect yourselves, and how did you reach people who left the programme?"),
]

REPLIES = [
    "In our office we first check the residence document itself, then we call the migration office's helpline; "
    "a written answer saves trouble with the employer later.",
    "We had a very similar case last spring. What helped was a short meeting with the client, the employer and "
    "an interpreter, so everybody heard the same thing at the same time.",
    "I would write down the client's own goal before anything else. Plans that start from our categories "
    "tend to fail at the first obstacle.",
    "Our regional recognition centre offers a skills assessment when documents are missing. It takes about "
    "eight weeks and the client can work in an assistant role meanwhile.",
    "Please be careful with unpaid trials: in our country anything longer than a day counts as employment "
    "and must be declared.",
    "We use a one-page consent form per purpose, in the client's language, and we note in the file when it "
    "was explained and by whom.",
    "Monthly peer supervision with an external facilitator made the biggest difference for our team. It is "
    "not expensive compared with the cost of sick leave.",
    "The IPS fidelity scale was useful for us to see where we drifted: start the job search within a month "
    "and keep the clinical team in the loop every week.",
    "Street outreach with a youth worker the young people already know worked far better than letters. "
    "We meet them where they are, with no forms at the first meeting.",
    "A checklist for the day of release helped: ID card, bank account, address for mail, appointment with "
    "the job centre and a phone with credit.",
    "We combine a part-time job with evening language classes and a language mentor at work; after six "
    "months most clients passed the A2 exam.",
    "For evaluation we phone participants at six and twelve months with five fixed questions; the response "
    "rate is about 60 % and the funder accepted it.",
    "Could you say which country this is in? The answer depends a lot on national rules.",
    "Thank you, this is very helpful. I will bring it to our team meeting on Thursday.",
    "En España lo resolvimos con una reunión conjunta con el servicio de empleo y la entidad de acogida.",
    "Hos os i Danmark tager jobcentret og sprogcentret et fælles møde med borgeren i den første måned.",
    "Bei uns hilft ein kurzer Leitfaden für Arbeitgeber, der die wichtigsten Fragen auf einer Seite beantwortet.",
    "Da noi il tutor aziendale e l'operatore del centro per l'impiego si sentono ogni due settimane.",
]
REPLY_LANGUAGES = {14: "es", 15: "da", 16: "de", 17: "it"}

# Generated courses: topics, with the words lessons and questions are built from.
COURSE_TOPICS = [
    ("Motivational interviewing in employment counselling", "motivational interviewing",
     "open questions, affirmations, reflections and summaries"),
    ("Working with interpreters", "interpreted conversations",
     "briefing, seating, first-person speech and debriefing"),
    ("Trauma-informed practice", "trauma-informed practice", "safety, choice, collaboration and trust"),
    ("Recognition of foreign qualifications", "recognition of qualifications",
     "documents, partial recognition, skills assessment and bridging courses"),
    ("Outreach to young people not in education or work", "outreach to NEETs",
     "street work, peer contacts, youth clubs and digital channels"),
    ("Individual Placement and Support", "Individual Placement and Support",
     "rapid job search, employer contact, integrated teams and follow-along support"),
    ("Data protection in casework", "data protection in casework",
     "purpose, consent, minimisation and records of sharing"),
    ("Employer partnerships", "employer partnerships", "needs analysis, job carving, mentoring and follow-up"),
    ("Release from prison: the first days", "resettlement after prison",
     "documents, housing, income and appointments"),
    ("Evaluation for small projects", "evaluation of small projects",
     "indicators, baselines, follow-up calls and reporting"),
]
LESSON_ANGLES = [
    ("Why it matters", "Professionals who use {topic} well see fewer dropped cases. This lesson explains the "
     "reasons and the evidence in plain terms."),
    ("Core techniques", "The practical core of {topic} is {parts}. Each is shown with a short example from "
     "counselling practice."),
    ("A case vignette", "Amira, 34, arrived two years ago and wants to work as a pharmacy assistant. Follow "
     "her counsellor through three meetings and note where {topic} changes the outcome."),
    ("Checklist for your next meeting", "Use this checklist before, during and after a meeting in which "
     "{topic} plays a part."),
]
