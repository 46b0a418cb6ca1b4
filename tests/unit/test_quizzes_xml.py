"""Moodle XML import/export and the Cloze (embedded answers) syntax."""
from __future__ import annotations

import pytest

from hub.quizzes import cloze, gift, moodle_xml
from hub.quizzes.parsed import QuestionDraft

MOODLE_EXPORT = """<?xml version="1.0" encoding="UTF-8"?>
<quiz>
<!-- question: 0  -->
  <question type="category">
    <category><text>$course$/top/Default for Week 1</text></category>
  </question>
  <question type="multichoice">
    <name><text>Grants tomb</text></name>
    <questiontext format="html"><text><![CDATA[<p>Who is buried in <b>Grant's tomb</b>?</p>]]></text></questiontext>
    <generalfeedback format="html"><text>General.</text></generalfeedback>
    <defaultgrade>2.0000000</defaultgrade>
    <penalty>0.3333333</penalty>
    <hidden>0</hidden>
    <idnumber>GT-1</idnumber>
    <single>true</single>
    <shuffleanswers>true</shuffleanswers>
    <answernumbering>abc</answernumbering>
    <answer fraction="100" format="html"><text>Grant</text><feedback format="html"><text>Yes.</text></feedback></answer>
    <answer fraction="0" format="html"><text>No one</text><feedback format="html"><text></text></feedback></answer>
    <tags><tag><text>history</text></tag><tag><text>usa</text></tag></tags>
  </question>
  <question type="multichoice">
    <name><text>Two people</text></name>
    <questiontext format="moodle_auto_format"><text>Which two?</text></questiontext>
    <single>false</single>
    <answer fraction="50"><text>Grant</text></answer>
    <answer fraction="50"><text>Julia Grant</text></answer>
    <answer fraction="-100"><text>Nobody</text></answer>
  </question>
  <question type="truefalse">
    <name><text>Sun</text></name>
    <questiontext format="plain_text"><text>The sun rises in the east.</text></questiontext>
    <answer fraction="100" format="moodle_auto_format"><text>true</text><feedback><text>Right.</text></feedback></answer>
    <answer fraction="0" format="moodle_auto_format"><text>false</text><feedback><text>It does.</text></feedback></answer>
  </question>
  <question type="shortanswer">
    <name><text>Capital</text></name>
    <questiontext format="markdown"><text>Capital of *France*?</text></questiontext>
    <usecase>1</usecase>
    <answer fraction="100"><text>Paris</text><feedback><text>Yes</text></feedback></answer>
    <answer fraction="50"><text>paris</text></answer>
  </question>
  <question type="numerical">
    <name><text>Born</text></name>
    <questiontext format="html"><text>When was Grant born?</text></questiontext>
    <answer fraction="100"><text>1822</text><tolerance>0</tolerance><feedback><text>Exactly</text></feedback></answer>
    <answer fraction="50"><text>1822</text><tolerance>2</tolerance></answer>
    <answer fraction="0"><text>*</text><tolerance>0</tolerance><feedback><text>No</text></feedback></answer>
  </question>
  <question type="matching">
    <name><text>Capitals</text></name>
    <questiontext format="html"><text>Match.</text></questiontext>
    <shuffleanswers>true</shuffleanswers>
    <subquestion format="html"><text>Canada</text><answer><text>Ottawa</text></answer></subquestion>
    <subquestion format="html"><text>Italy</text><answer><text>Rome</text></answer></subquestion>
    <subquestion format="html"><text></text><answer><text>Paris</text></answer></subquestion>
  </question>
  <question type="essay">
    <name><text>Essay</text></name>
    <questiontext format="html"><text>Write about it.</text></questiontext>
    <responseformat>plain</responseformat>
    <responserequired>1</responserequired>
    <responsefieldlines>10</responsefieldlines>
    <graderinfo format="html"><text>Look for examples.</text></graderinfo>
    <responsetemplate format="html"><text></text></responsetemplate>
  </question>
  <question type="cloze">
    <name><text>Cloze</text></name>
    <questiontext format="html"><text><![CDATA[<p>Paris is in {1:MC:=France~Spain} and pi is {2:NM:=3.14:0.01}.</p>]]></text></questiontext>
  </question>
  <question type="description">
    <name><text>Intro</text></name>
    <questiontext format="html"><text>Read this first.</text></questiontext>
  </question>
</quiz>
"""


def test_reads_every_common_type():
    result = moodle_xml.parse(MOODLE_EXPORT)
    assert result.errors == [] and result.warnings == []
    assert result.counts() == {"multichoice": 1, "multiresponse": 1, "truefalse": 1, "shortanswer": 1, "numerical": 1,
                               "match": 1, "essay": 1, "multianswer": 1, "description": 1}
    by_name = {q.name: q for q in result.questions}
    mc = by_name["Grants tomb"]
    assert mc.category == "Default for Week 1" and mc.text_format == "html" and mc.default_mark == 2
    assert mc.idnumber == "GT-1" and mc.tags == ["history", "usa"] and mc.general_feedback == "General."
    assert mc.data["answers"][0] == {"text": "Grant", "fraction": 1.0, "feedback": "Yes."}
    assert by_name["Two people"].data["single"] is False and by_name["Two people"].text_format == "moodle"
    assert by_name["Sun"].data == {"correct": True, "feedback_true": "Right.", "feedback_false": "It does."}
    assert by_name["Sun"].text_format == "plain"
    assert by_name["Capital"].data["case_sensitive"] is True and by_name["Capital"].text_format == "markdown"
    assert [(a["value"], a["tolerance"], a["fraction"]) for a in by_name["Born"].data["answers"]] == [
        (1822, 0, 1), (1822, 2, 0.5), (None, 0, 0)]
    assert by_name["Capitals"].data["pairs"][2] == {"question": "", "answer": "Paris"}
    assert by_name["Essay"].data["response_format"] == "plain" and by_name["Essay"].data["lines"] == 10
    assert by_name["Essay"].data["grader_info"] == "Look for examples."
    assert by_name["Cloze"].qtype == "multianswer" and by_name["Cloze"].default_mark == 3
    assert by_name["Intro"].qtype == "description" and by_name["Intro"].default_mark == 0


def test_errors_name_the_question_and_the_rest_is_read():
    source = """<?xml version="1.0"?>
<quiz>
  <question type="calculated"><name><text>Calc</text></name><questiontext><text>x</text></questiontext></question>
  <question type="multichoice"><name><text>Lonely</text></name><questiontext><text>?</text></questiontext>
    <answer fraction="100"><text>only</text></answer></question>
  <question type="multichoice"><name><text>Weights</text></name><questiontext><text>?</text></questiontext>
    <single>false</single><answer fraction="50"><text>a</text></answer><answer fraction="20"><text>b</text></answer></question>
  <question type="numerical"><name><text>NaN</text></name><questiontext><text>?</text></questiontext>
    <answer fraction="100"><text>abc</text></answer></question>
  <question type="cloze"><name><text>BadCloze</text></name><questiontext><text>no fields here</text></questiontext></question>
  <question type="truefalse"><name><text>Good</text></name><questiontext><text>ok?</text></questiontext>
    <answer fraction="0"><text>true</text></answer><answer fraction="100"><text>false</text></answer></question>
</quiz>"""
    result = moodle_xml.parse(source)
    assert [q.name for q in result.questions] == ["Good"]
    assert [(p.line, p.question) for p in result.errors] == [(1, "Calc"), (2, "Lonely"), (3, "Weights"), (4, "NaN"),
                                                             (5, "BadCloze")]
    assert "not supported" in result.errors[0].message
    assert str(result.errors[1]).startswith("question 2 (“Lonely”): ")
    assert "not a number" in result.errors[3].message
    assert result.questions[0].data["correct"] is False


@pytest.mark.parametrize("source,words", [
    ("<quiz><question>", "not valid XML"),
    ("<notquiz/>", "starts with <quiz>"),
    ('<?xml version="1.0"?><!DOCTYPE q [<!ENTITY a "aaaa">]><quiz>&a;</quiz>', "refused"),
    ('<?xml version="1.0"?><!DOCTYPE q [<!ENTITY x SYSTEM "file:///etc/passwd">]><quiz>&x;</quiz>', "refused"),
])
def test_bad_files(source, words):
    result = moodle_xml.parse(source)
    assert result.questions == [] and words in result.errors[0].message


def test_non_moodle_weight_is_refused_as_moodle_does():
    result = moodle_xml.parse('<quiz><question type="multichoice"><name><text>W</text></name>'
                              '<questiontext><text>?</text></questiontext><single>false</single>'
                              '<answer fraction="33"><text>a</text></answer><answer fraction="67"><text>b</text></answer>'
                              '</question></quiz>')
    assert not result.questions and "not one of the grades Moodle allows" in result.errors[0].message


def comparable(q: QuestionDraft) -> tuple:
    data = {k: v for k, v in q.data.items()}
    return (q.qtype, q.name, q.text, q.text_format, q.general_feedback, data, q.category, q.idnumber, q.tags,
            q.default_mark)


def test_round_trip_every_type_through_xml():
    first = moodle_xml.parse(MOODLE_EXPORT)
    written = moodle_xml.dumps(first.questions)
    assert "$course$/top/Default for Week 1" in written
    second = moodle_xml.parse(written)
    assert second.ok, second.errors
    assert [comparable(q) for q in second.questions] == [comparable(q) for q in first.questions]


def test_gift_questions_survive_xml_and_back():
    source = gift.parse("::A::[markdown]Pick **one**{=a#yes ~%50%b ~c####gf}\n\n::B::Say{=x =%25%y}\n\n"
                        "::C::Num{#1..5}\n\n::D::Pairs{=a -> 1 =b -> 2}\n\n::E::True?{TRUE#no#yes}\n\n::F::Essay{}")
    again = moodle_xml.parse(moodle_xml.dumps(source.questions))
    assert [comparable(q) for q in again.questions] == [comparable(q) for q in source.questions]


# --- Cloze ----------------------------------------------------------------------------------

def test_cloze_types_and_template():
    template, parts, errors = cloze.parse(
        "A {1:MULTICHOICE:=France#Yes~Spain#No} B {:SA:=Oslo} C {3:SHORTANSWER_C:=Rome} D {1:NUMERICAL:=4:0.5~*#no} "
        "E {1:MCV:a~=b} F {1:MCHS:=x~y} G {1:MRS:%50%p~%50%q~r} H {1:MULTIRESPONSE_H:=p~q}")
    assert errors == []
    assert template == "A {#1} B {#2} C {#3} D {#4} E {#5} F {#6} G {#7} H {#8}"
    assert [(p["kind"], p["mark"]) for p in parts] == [
        ("multichoice", 1), ("shortanswer", 1), ("shortanswer", 3), ("numerical", 1), ("multichoice", 1),
        ("multichoice", 1), ("multiresponse", 1), ("multiresponse", 1)]
    assert parts[0]["display"] == "dropdown" and parts[4]["display"] == "vertical"
    assert parts[5]["display"] == "horizontal" and parts[5]["shuffle"] is True
    assert parts[2]["case_sensitive"] is True and parts[1]["case_sensitive"] is False
    assert parts[3]["answers"] == [{"fraction": 1.0, "feedback": "", "value": 4.0, "tolerance": 0.5},
                                   {"fraction": 0.0, "feedback": "no", "value": None, "tolerance": 0.0}]
    assert parts[0]["answers"][0] == {"fraction": 1.0, "feedback": "Yes", "text": "France"}


def test_cloze_escapes():
    _template, parts, errors = cloze.parse("{1:SA:=a\\}b\\~c\\#d\\/e#it\\'s}")
    assert errors == [] and parts[0]["answers"][0]["text"] == "a}b~c#d/e"


@pytest.mark.parametrize("source,words", [
    ("No fields at all.", "at least one embedded answer"),
    ("{1:FOO:=x}", "unknown type FOO"),
    ("{1:shortanswer:=x}", "written in capitals"),
    ("{1:SA:=x", "not closed"),
    ("{1:SA:~x~y}", "worth 100%"),
    ("{1:MC:=only}", "at least two answers"),
    ("{1:NM:=three}", "not a number"),
    ("{1:MR:a~b}", "at least one right answer"),
    ("{1:SA:=#feedback only}", "no answer text"),
])
def test_cloze_errors(source, words):
    _template, _parts, errors = cloze.parse(source)
    assert errors and words in errors[0], errors
