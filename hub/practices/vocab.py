"""The practice template's controlled lists: keys stored in the database and used in
content files, with labels for the interface. Target groups follow the sources
(INWORK's glossary, E4I's target group, atWork4NEETs); zones are the hub's pathway."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

TARGET_GROUPS = {
    "migrants": _l("Migrants"),
    "refugees_asylum_seekers": _l("Refugees and asylum seekers"),
    "neets": _l("Young people not in employment, education or training (NEETs)"),
    "former_inmates": _l("Former inmates"),
    "homelessness": _l("People experiencing homelessness"),
    "substance_use": _l("People with problematic substance use"),
    "mental_health": _l("People with mental-health problems"),
    "long_term_unemployed": _l("Long-term unemployed people"),
}

ORGANISATION_TYPES = {
    "ngo": _l("NGO"),
    "public_employment_service": _l("Public employment service"),
    "municipality": _l("Municipality"),
    "public_agency": _l("Public agency or national programme"),
    "social_enterprise": _l("Work-integration social enterprise"),
    "company": _l("Company"),
    "training_provider": _l("Training provider"),
}

# zone key -> (label, slug of the zone's course)
ZONES = {
    "outreach": (_l("Outreach and first reception"), "outreach-first-reception"),
    "profiling": (_l("Profiling and skills assessment"), "profiling-skills-assessment"),
    "qualification": (_l("Qualification, language and employability"), "qualification-language-employability"),
    "support": (_l("Psychosocial support and wellbeing"), "psychosocial-support-wellbeing"),
    "placement": (_l("Employer engagement and job placement"), "employer-engagement-placement"),
    "follow_up": (_l("Follow-up, cooperation and evaluation"), "follow-up-cooperation-evaluation"),
}

EVALUATION_TYPES = {
    "none": _l("No evaluation known"),
    "internal": _l("Internal evaluation"),
    "external": _l("External evaluation"),
    "counterfactual": _l("Counterfactual evaluation (with a comparison group)"),
}

LABELS = {
    "promising": _l("Promising practice"),
    "good": lazy_pgettext("rating", "Good practice"),
    "best": _l("Best practice"),
}

INDICATOR_LABELS = {
    "relevance": _l("Relevance to the target group's needs"),
    "results": _l("Evidence of results"),
    "evaluation": _l("Quality of evaluation"),
    "co_design": _l("Co-design with the target group"),
    "employer_involvement": _l("Employer involvement"),
    "cooperation": _l("Cooperation across agencies and public administrations"),
    "sustainability": _l("Sustainability (in place two years or more)"),
    "transferability": _l("Transferability"),
    "innovation": _l("Innovation"),
    "cost_effectiveness": _l("Cost-effectiveness"),
    "equality": _l("Equality and accessibility"),
    "integrated_support": _l("Integrated support (housing, health, legal)"),
}
