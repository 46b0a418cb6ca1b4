"""GIFT reader and writer against the examples in Moodle's GIFT documentation, every
escape, every error, and a round trip over every type."""
from __future__ import annotations

import pytest

from hub.quizzes import gift
from hub.quizzes.parsed import QuestionDraft


def one(source: str, **kwargs) -> QuestionDraft:
    result = gift.parse(source, **kwargs)
    assert result.errors == [], result.errors
    assert len(result.questions) == 1, result.questions
    return result.questions[0]


def answers(question) -> list[tuple]:
    return [(a["text"], a["fraction"]) for a in question.data["answers"]]


# --- Moodle's documented examples ---------------------------------------------------------

def test_multiple_choice():
    q = one("Who's buried in Grant's tomb?{~Grant ~Jefferson =no one}")
    assert q.qtype == "multichoice" and q.data["single"] is True
    assert q.text == "Who's buried in Grant's tomb?"
    assert answers(q) == [("Grant", 0), ("Jefferson", 0), ("no one", 1)]


def test_missing_word():
    q = one("Grant is {~buried =entombed ~living} in Grant's tomb.")
    assert q.qtype == "multichoice"
    assert q.text == "Grant is _____ in Grant's tomb."
    assert answers(q)[1] == ("entombed", 1)


def test_answers_on_separate_indented_lines():
    q = one("The American holiday of Thanksgiving is celebrated on the {\n    ~second\n    ~third\n    =fourth\n"
            "} Thursday of November.")
    assert q.text == "The American holiday of Thanksgiving is celebrated on the _____ Thursday of November."
    assert answers(q) == [("second", 0), ("third", 0), ("fourth", 1)]
    q = one("Japanese characters originally came from what country? {\n    ~India\n    =China\n    ~Korea\n    ~Egypt}")
    assert answers(q)[1] == ("China", 1) and q.text.endswith("country?")


def test_short_answer():
    q = one("Who's buried in Grant's tomb?{=Grant =Ulysses S. Grant =Ulysses Grant}")
    assert q.qtype == "shortanswer"
    assert answers(q) == [("Grant", 1), ("Ulysses S. Grant", 1), ("Ulysses Grant", 1)]
    assert q.data["case_sensitive"] is False
    q = one("Two plus two equals {=four =4}.")
    assert q.qtype == "shortanswer" and q.text == "Two plus two equals _____."
    q = one("Two plus {=two =2} equals four.")
    assert answers(q) == [("two", 1), ("2", 1)]


def test_short_answer_without_equals_sign():
    q = one("What is the opposite of hot?{cold}")
    assert q.qtype == "shortanswer" and answers(q) == [("cold", 1)]


@pytest.mark.parametrize("source,correct", [
    ("Grant is buried in Grant's tomb.{F}", False),
    ("The sun rises in the east.{T}", True),
    ("::Q1:: 1+1=2 {T}", True),
    ("Grant is buried in Grant's tomb.{FALSE}", False),
    ("Grant was a general.{TRUE}", True),
])
def test_true_false(source, correct):
    q = one(source)
    assert q.qtype == "truefalse" and q.data["correct"] is correct


def test_true_false_feedback_wrong_then_right():
    q = one("Grant is buried in Grant's tomb.{FALSE#No one is buried there.#You gave the right answer.}")
    # the first feedback is for a wrong answer (True), the second for the right one (False)
    assert q.data == {"correct": False, "feedback_true": "No one is buried there.",
                      "feedback_false": "You gave the right answer."}


def test_matching():
    q = one("Match the following countries with their corresponding capitals. {\n"
            "    =Canada -> Ottawa\n    =Italy  -> Rome\n    =Japan  -> Tokyo\n    =India  -> New Delhi\n"
            "    ####It's good to know the capitals\n}")
    assert q.qtype == "match"
    assert q.data["pairs"] == [{"question": "Canada", "answer": "Ottawa"}, {"question": "Italy", "answer": "Rome"},
                               {"question": "Japan", "answer": "Tokyo"}, {"question": "India", "answer": "New Delhi"}]
    assert q.general_feedback == "It's good to know the capitals"
    q = one("::Q4:: Which animal eats which food? { =cat -> cat food =dog -> dog food }")
    assert [p["answer"] for p in q.data["pairs"]] == ["cat food", "dog food"]


def test_matching_distractor():
    q = one("Match.{=a -> 1 =b -> 2 = -> 3}")
    assert q.data["pairs"][2] == {"question": "", "answer": "3"}


@pytest.mark.parametrize("source,value,tolerance", [
    ("When was Ulysses S. Grant born?{#1822:5}", 1822, 5),
    ("What is the value of pi (to 3 decimal places)? {#3.14159:0.0005}.", 3.14159, 0.0005),
    ("What is the value of pi (to 3 decimal places)? {#3.141..3.142}.", 3.1415, 0.0005),
    ("::Q5:: What is a number from 1 to 5? {#3:2}", 3, 2),
    ("::Q6:: What is a number from 1 to 5? {#1..5}", 3, 2),
    ("How many sides has a triangle?{#3}", 3, 0),
    ("Below zero?{#-5..-1}", -3, 2),
])
def test_numerical(source, value, tolerance):
    q = one(source)
    assert q.qtype == "numerical"
    first = q.data["answers"][0]
    assert first["value"] == pytest.approx(value) and first["tolerance"] == pytest.approx(tolerance)
    assert first["fraction"] == 1


def test_numerical_missing_word_and_several_answers():
    q = one("What is the value of pi (to 3 decimal places)? {#3.14159:0.0005}.")
    assert q.text == "What is the value of pi (to 3 decimal places)? _____."
    q = one("When was Ulysses S. Grant born? {#\n    =1822:0      # Correct! Full credit.\n"
            "    =%50%1822:2  # He was born in 1822. Half credit for being close.\n}")
    assert [(a["value"], a["tolerance"], a["fraction"], a["feedback"]) for a in q.data["answers"]] == [
        (1822, 0, 1, "Correct! Full credit."), (1822, 2, 0.5, "He was born in 1822. Half credit for being close.")]


def test_numerical_wrong_answer_feedback():
    q = one("How many legs has a spider?{#=8#Right. ~#Count again: spiders have eight legs.}")
    assert q.data["answers"][-1] == {"value": None, "tolerance": 0.0, "fraction": 0.0,
                                     "feedback": "Count again: spiders have eight legs."}


def test_essay_and_description():
    q = one("Write a short biography of Dag Hammarskjöld. {}")
    assert q.qtype == "essay" and q.text == "Write a short biography of Dag Hammarskjöld."
    q = one("::Q8:: How are you? {}")
    assert q.qtype == "essay" and q.name == "Q8"
    q = one("You can use GIFT to write a description: text without answers.")
    assert q.qtype == "description" and q.default_mark == 0


def test_essay_with_general_feedback():
    q = one("How are you? {\n####We hope you're feeling well.\n}")
    assert q.qtype == "essay" and q.general_feedback == "We hope you're feeling well."


def test_comments_and_question_names():
    source = """// question: 1 name: Grants tomb
::Grants tomb::Who is buried in Grant's tomb in New York City? {
=Grant
~No one
#Was true for 12 years, but Grant's remains were buried in the tomb in 1897
~Napoleon
#He was buried in France
~Churchill
#He was buried in England
~Mother Teresa
#She was buried in India
}"""
    q = one(source)
    assert q.name == "Grants tomb" and q.line == 2
    assert [a["feedback"] for a in q.data["answers"]][1:3] == [
        "Was true for 12 years, but Grant's remains were buried in the tomb in 1897", "He was buried in France"]


def test_title_over_two_lines():
    q = one("::Kanji Origins::Japanese characters originally\ncame from what country? {=China}")
    assert q.name == "Kanji Origins"
    assert q.text == "Japanese characters originally\ncame from what country?"
    q = one("::Thanksgiving Date::The American holiday of Thanksgiving is\ncelebrated on the {~second ~third "
            "=fourth} Thursday of November.")
    assert q.qtype == "multichoice" and "_____ Thursday" in q.text


def test_feedback_for_each_answer():
    q = one("What's the answer to this multiple-choice question? {\n~wrong answer#feedback comment on the wrong "
            "answer\n~another wrong answer#feedback comment on this wrong answer\n=right answer#Very good!}")
    assert [a["feedback"] for a in q.data["answers"]] == [
        "feedback comment on the wrong answer", "feedback comment on this wrong answer", "Very good!"]
    q = one("Who's buried in Grant's tomb?{\n=no one#excellent answer!\n=nobody#excellent answer!}")
    assert q.qtype == "shortanswer" and [a["feedback"] for a in q.data["answers"]] == ["excellent answer!"] * 2
    q = one("::Q2:: What's between orange and green in the spectrum?\n"
            "{ =yellow # right; good! ~red # wrong, it's yellow ~blue # wrong, it's yellow }")
    assert answers(q) == [("yellow", 1), ("red", 0), ("blue", 0)]
    assert q.data["answers"][0]["feedback"] == "right; good!"


def test_general_feedback():
    q = one("What's the answer to this multiple-choice question?{\n~wrong answer#feedback comment on the wrong "
            "answer\n~another wrong answer\n=right answer#Very good!\n####The general feedback.}")
    assert q.general_feedback == "The general feedback." and len(q.data["answers"]) == 3


def test_percentage_weights():
    q = one("Difficult question.{~wrong answer ~%50%half credit answer =full credit answer}")
    assert answers(q) == [("wrong answer", 0), ("half credit answer", 0.5), ("full credit answer", 1)]
    q = one("::Jesus' hometown::Jesus Christ was from {\n~Jerusalem#This was an important city, but the wrong answer."
            "\n~%25%Bethlehem#He was born here, but not raised here.\n~%50%Galilee#You need to be more specific."
            "\n=Nazareth#Yes! That's right!\n}.")
    assert answers(q) == [("Jerusalem", 0), ("Bethlehem", 0.25), ("Galilee", 0.5), ("Nazareth", 1)]
    q = one("::Jesus' hometown:: Jesus Christ was from {\n=Nazareth#Yes! That's right!\n"
            "=%75%Nazereth#Right, but misspelled.\n=%25%Bethlehem#He was born here, but not raised here.\n}")
    assert q.qtype == "shortanswer" and answers(q) == [("Nazareth", 1), ("Nazereth", 0.75), ("Bethlehem", 0.25)]


def test_multiple_answers_with_negative_weights():
    q = one("What two people are entombed in Grant's tomb? {\n   ~%-100%No one\n   ~%50%Grant\n"
            "   ~%50%Grant's wife\n   ~%-100%Grant's father\n}")
    assert q.qtype == "multichoice" and q.data["single"] is False and q.type_key == "multiresponse"
    assert answers(q) == [("No one", -1), ("Grant", 0.5), ("Grant's wife", 0.5), ("Grant's father", -1)]


def test_special_characters_example():
    q = one("Which answer equals 5? {\n    ~ \\= 2 + 2\n    = \\= 2 + 3\n    ~ \\= 2 + 4\n}")
    assert answers(q) == [("= 2 + 2", 0), ("= 2 + 3", 1), ("= 2 + 4", 0)]
    source = """::GIFT Control Characters::
Which of the following is NOT a control character for the GIFT import format? {
   ~ \\~     # \\~ is a control character.
   ~ \\=     # \\= is a control character.
   ~ \\#     # \\# is a control character.
   ~ \\{     # \\{ is a control character.
   ~ \\}     # \\} is a control character.
   = \\      # Correct! \\ (backslash) is not a control character. BUT,
              it is used to escape the control characters.
}"""
    q = one(source)
    assert [a["text"] for a in q.data["answers"]] == ["~", "=", "#", "{", "}", "\\"]
    assert q.data["answers"][0]["feedback"] == "~ is a control character."
    # Moodle joins a question's lines untrimmed: the continuation keeps its indentation
    assert q.data["answers"][5]["feedback"].endswith("BUT,\n              it is used to escape the control characters.")


def test_colon_escape_in_text_and_answer():
    q = one("1 + 2 \\= {=3}")
    assert q.text == "1 + 2 =" and answers(q) == [("3", 1)]
    q = one("The largest desert on Earth is\\: {\n=Antarctica\n~Sahara Desert\n~Australian Desert\n}")
    assert q.text == "The largest desert on Earth is:"
    q = one("::Time\\: 12\\:00::When is noon?{=12\\:00}")
    assert q.name == "Time: 12:00" and answers(q) == [("12:00", 1)]


@pytest.mark.parametrize("escaped,plain", [("\\~", "~"), ("\\=", "="), ("\\#", "#"), ("\\{", "{"), ("\\}", "}"),
                                           ("\\:", ":"), ("\\\\", "\\"), ("\\n", "\n")])
def test_every_escape_in_question_text(escaped, plain):
    q = one(f"Before {escaped} after{{=x}}")
    assert q.text == f"Before {plain} after"


def test_unknown_backslash_is_kept_for_markdown():
    q = one("Write 2\\*3 and \\_x\\_ {=6}")
    assert q.text == "Write 2\\*3 and \\_x\\_"


def test_categories():
    result = gift.parse("$CATEGORY: tom/dick/harry\n\n::A::a?{=1}\n\n$CATEGORY: $course$/top/Week 1/Ethics\n\n"
                        "::B::b?{=2}\n")
    assert result.ok
    assert [q.category for q in result.questions] == ["tom/dick/harry", "Week 1/Ethics"]
    assert result.categories == ["tom/dick/harry", "Week 1/Ethics"]


@pytest.mark.parametrize("tag,fmt", [("[markdown]", "markdown"), ("[html]", "html"), ("[plain]", "plain"),
                                     ("[moodle]", "moodle")])
def test_text_formats(tag, fmt):
    q = one(f"{tag}Who's buried in **Grant's tomb**?{{~Grant ~Jefferson =no one####[plain]See *notes*}}")
    assert q.text_format == fmt and q.text == "Who's buried in **Grant's tomb**?"
    assert q.general_feedback == "See *notes*"


def test_default_format_and_unknown_brackets():
    assert one("Plain question {T}").text_format == "markdown"
    assert one("Plain question {T}", default_format="moodle").text_format == "moodle"
    q = one("::N::[1] is a footnote marker{T}")
    assert q.text == "[1] is a footnote marker" and q.text_format == "markdown"
    q = one("[html]<p>Pick</p>{=[plain]<b>literal</b> ~[html]<b>bold</b>}")
    assert q.data["answers"][0] == {"text": "<b>literal</b>", "format": "plain", "feedback": "", "fraction": 1.0}
    assert "format" not in q.data["answers"][1]


def test_tags_and_id_number_in_comments():
    q = one("// [id:Q-42] [tag:ethics] [tag:first\\] week]\n::T::Ask?{T}")
    assert q.idnumber == "Q-42" and q.tags == ["ethics", "first] week"]


def test_blank_lines_separate_questions_and_comments_do_not():
    source = "// heading\n\n::A::One?{T}\n// between\n\n\n::B::Two\n// inside\ncontinues?{F}\n\n// end only\n"
    result = gift.parse(source)
    assert [(q.name, q.line, q.text) for q in result.questions] == [("A", 3, "One?"), ("B", 7, "Two\ncontinues?")]


def test_bom_crlf_and_counts():
    source = "\ufeff::A::a{T}\r\n\r\n::B::b{~x =y}\r\n\r\n::C::c{~%50%x ~%50%y ~z}\r\n\r\n::D::d{}\r\n\r\nDesc\r\n"
    result = gift.parse(source)
    assert result.ok
    assert result.counts() == {"multichoice": 1, "multiresponse": 1, "truefalse": 1, "essay": 1, "description": 1}


def test_default_name_from_text():
    q = one("What is the capital of the country where the Tour de France ends every single summer, traditionally?{=Paris}")
    assert len(q.name) <= 80 and q.name.startswith("What is the capital") and q.name.endswith("...")
    assert q.named is False


# --- errors ------------------------------------------------------------------------------

@pytest.mark.parametrize("source,line,words", [
    ("::A::Question {\n=a\n~b", 1, "not closed with }"),
    ("::A::Question =a ~b}", 1, "without an opening {"),
    ("::A::Question } {=a ~b}", 1, "before the {"),
    ("::A::Question {=a ~b}\nand {=c}", 2, "one {...} answer block"),
    ("::A::Pick {~only}", 1, "at least two answers"),
    ("::A::Pick {~a ~b}", 1, "add up to 0%"),
    ("::A::Pick {~%50%a ~%25%b ~c}", 1, "add up to 75%"),
    ("::A::Pick {=%50%a ~b}", 1, "= always means 100%"),
    ("::A::Pick {~%150%a =b}", 1, "outside -100% to 100%"),
    ("::A::Pair {\n=a -> 1\n=b 2\n}", 3, "has no ->"),
    ("::A::Pair {=a -> 1 =b -> }", 1, "needs an answer after ->"),
    ("::A::Pair {=a -> 1 = -> 2}", 1, "at least two pairs"),
    ("::A::Say {=%50%half}", 1, "worth 100%"),
    ("::A::Count\n{#\n=three\n}", 3, "is not a number"),
    ("::A::Count {#5..1}", 1, "starts above its end"),
    ("::A::Count {#}", 1, "at least one number"),
    ("::A::Count {#=%50%3}", 1, "worth 100%"),
    ("::A::Count {#3:x}", 1, "is not a number"),
])
def test_errors_name_the_line(source, line, words):
    result = gift.parse("// first line is a comment\n" + source)
    assert result.questions == []
    assert len(result.errors) == 1, result.errors
    assert result.errors[0].line == line + 1
    assert words in result.errors[0].message
    assert result.invalid == 1


def test_category_must_be_followed_by_a_blank_line():
    result = gift.parse("$CATEGORY: x\n::A::a{T}")
    assert result.errors[0].line == 2 and "blank line" in result.errors[0].message


def test_every_error_of_a_file_is_reported_and_good_questions_still_read():
    source = "::Good::a{T}\n\n::Bad1::b{~x}\n\n::Good2::c{=y}\n\n::Bad2::d{#abc}\n\n::Bad3::e {=f\n"
    result = gift.parse(source)
    assert [q.name for q in result.questions] == ["Good", "Good2"]
    assert [(e.line, e.question) for e in result.errors] == [(3, "::Bad1::b{~x}"), (7, "::Bad2::d{#abc}"),
                                                             (9, "::Bad3::e {=f")]
    assert str(result.errors[0]).startswith("line 3: ")


# --- warnings ------------------------------------------------------------------------------

def test_non_moodle_weights_warn():
    result = gift.parse("::A::Pick {~%33%a ~%67%b ~c}")
    assert result.ok and len(result.questions) == 1
    messages = [w.message for w in result.warnings]
    assert any("%33%" in m and "33.33333%" in m for m in messages)
    assert gift.parse("::A::Pick {~%33.33333%a ~%33.33333%b ~%33.33333%c}").warnings == []


@pytest.mark.parametrize("source,words", [
    ("::A::Is it?{true}", "read as a short answer"),
    ("::A is it?{T}", "not closed with ::"),
    ("::A::Pick {stray ~a =b}", "before the first ~ or ="),
    ("::A::Pick {~a =b ~}", "empty answer"),
    ("::A::Pick {~%x%a =b}", "is not a weight"),
    ("::A::Pair {=a -> 1#fb =b -> 2}", "no weights or per-answer feedback"),
])
def test_warnings(source, words):
    result = gift.parse(source)
    assert result.ok
    assert any(words in w.message for w in result.warnings), result.warnings


def test_duplicate_titles_warn():
    result = gift.parse("::Same::a{T}\n\n::Same::b{F}")
    assert len(result.questions) == 2 and "line 1" in result.warnings[0].message


# --- writing ------------------------------------------------------------------------------

ROUND_TRIP = """\
$CATEGORY: Week 1/Ethics

// [id:MC-1] [tag:ethics] [tag:core]
::Single choice::What **is** the capital\\: of France\\?{
=Paris#Yes \\# one
~Lyon#No \\= not it
~%25%Marseille#Almost \\{sort of\\}
####General \\~ feedback
}

::Multiple response::Pick the two right ones.{
~%50%Grant
~%50%Grant's wife
~%-100%No one#Never
}

::True false::The sun rises in the east.{TRUE#No, it does.#Right.}

::False only::The moon is made of cheese.{F}

::Short::Two plus two equals {=four#Words =4#Digits =%50%for#Typo} today.

::Numbers::When was Grant born?{#
=1822:0#Exactly
=%50%1822:2#Close
~#Wrong
}

::Range::A number from 1 to 5?{#1..5}

::Pairs::Match them.{
=Canada -> Ottawa
=Italy -> Rome
= -> Paris
####Capitals.
}

::Essay::Write about \\{braces\\}.{####Think of examples.}

::Info::[html]<p>Read <b>this</b> first.</p>

::Multi line::First paragraph with **bold**.\\n\\nSecond paragraph:\\n\\n- item one\\n- item two{
=ok
~no
}

$CATEGORY: Week 2

::Plain one::[plain]Use a < b & c.{T}
"""


def comparable(q: QuestionDraft) -> tuple:
    return (q.qtype, q.name, q.text, q.text_format, q.general_feedback, q.data, q.category, q.idnumber, q.tags,
            q.default_mark)


def test_round_trip_over_every_type():
    first = gift.parse(ROUND_TRIP)
    assert first.ok and first.warnings == []
    assert {q.type_key for q in first.questions} == {"multichoice", "multiresponse", "truefalse", "shortanswer",
                                                     "numerical", "match", "essay", "description"}
    written = gift.dumps(first.questions)
    second = gift.parse(written)
    assert second.ok, (second.errors, written)
    assert [comparable(q) for q in second.questions] == [comparable(q) for q in first.questions]
    # writing again gives the same text
    assert gift.dumps(second.questions) == written


def test_round_trip_for_moodle_default_format():
    first = gift.parse(ROUND_TRIP)
    written = gift.dumps(first.questions, default_format="moodle")
    assert "[markdown]" in written
    second = gift.parse(written, default_format="moodle")
    assert [comparable(q) for q in second.questions] == [comparable(q) for q in first.questions]


def test_writer_keeps_markdown_line_structure():
    draft = QuestionDraft(qtype="essay", name="Lines", text="Intro\n\n  indented\nplain line\n// not a comment",
                          data={})
    written = gift.dumps([draft])
    again = gift.parse(written).questions[0]
    assert again.text == draft.text


def test_writer_leaves_out_cloze_with_a_comment():
    draft = QuestionDraft(qtype="multianswer", name="Cloze", text="{1:SHORTANSWER:=x}")
    assert not gift.can_write(draft)
    written = gift.dumps([draft])
    assert written.startswith("// “Cloze” is a multianswer question") and gift.parse(written).questions == []
