"""What Moodle exports and the hub keeps: embedded files, a format per text, hints and
combined feedback, categories with description and ID number, Moodle's grade list,
numerical units, and GIFT's untrimmed lines. Fixtures follow Moodle's XML export
(question/format/xml/format.php and its tests' fixtures)."""
from __future__ import annotations

import base64
import copy

import pytest

from hub.quizzes import bank, gift, grading, moodle_xml
from hub.quizzes.parsed import QuestionDraft

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(40))
PNG64 = base64.b64encode(PNG).decode()
GIF = b"GIF89a" + bytes(30)


def quiz(*questions: str) -> str:
    return '<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n' + "\n".join(questions) + "\n</quiz>\n"


def one(xml: str):
    result = moodle_xml.parse(xml)
    assert result.ok, result.errors
    assert len(result.questions) == 1
    return result.questions[0], result


# --- 1. embedded files --------------------------------------------------------------------

EMBEDDED = quiz(f"""
  <question type="multichoice">
    <name><text>Flag</text></name>
    <questiontext format="html">
      <text><![CDATA[<p>Which flag? <img src="@@PLUGINFILE@@/flag%20one.png" alt="a flag"></p>]]></text>
      <file name="flag one.png" path="/" encoding="base64">{PNG64}</file>
    </questiontext>
    <generalfeedback format="html"><text></text></generalfeedback>
    <defaultgrade>1.0000000</defaultgrade>
    <single>true</single>
    <answer fraction="100" format="html">
      <text><![CDATA[<img src="@@PLUGINFILE@@/icons/yes.gif" alt="yes">]]></text>
      <file name="yes.gif" path="/icons/" encoding="base64">{base64.b64encode(GIF).decode()}</file>
      <feedback format="html"><text>Right.</text></feedback>
    </answer>
    <answer fraction="0" format="html"><text>No</text><feedback format="html"><text></text></feedback></answer>
    <hint format="html">
      <text><![CDATA[<p>Look: <img src="@@PLUGINFILE@@/flag%20one.png" alt="again"></p>]]></text>
      <file name="flag one.png" path="/" encoding="base64">{PNG64}</file>
    </hint>
  </question>""")


def test_embedded_files_are_read_with_their_names():
    question, _result = one(EMBEDDED)
    assert question.files == {"flag one.png": PNG, "icons/yes.gif": GIF}
    assert '@@PLUGINFILE@@/flag%20one.png' in question.text
    assert question.data["answers"][0]["text"] == '<img src="@@PLUGINFILE@@/icons/yes.gif" alt="yes">'


def test_embedded_files_written_back_beside_the_text_that_names_them():
    question, _result = one(EMBEDDED)
    written = moodle_xml.dumps([question])
    assert f'<file name="flag one.png" path="/" encoding="base64">{PNG64}</file>' in written
    assert '<file name="yes.gif" path="/icons/" encoding="base64">' in written
    again, _result = one(written)
    assert again.files == question.files and again.text == question.text
    assert again.data == question.data


def test_bad_base64_is_left_out_with_a_warning():
    xml = quiz("""<question type="description"><name><text>D</text></name>
      <questiontext format="html"><text>x</text><file name="a.png" path="/" encoding="base64">!!!</file>
      </questiontext></question>""")
    question, result = one(xml)
    assert question.files == {} and "not valid base64" in result.warnings[0].message


# --- 2. a format per text -----------------------------------------------------------------

def test_texts_of_other_formats_become_html_as_moodle_shows_them():
    xml = quiz("""<question type="multichoice">
    <name><text>Mixed</text></name>
    <questiontext format="moodle_auto_format"><text>First line
second line

New paragraph</text></questiontext>
    <generalfeedback format="plain_text"><text>a &lt; b &amp; c
  indented</text></generalfeedback>
    <single>true</single>
    <answer fraction="100" format="markdown"><text>**bold**</text>
      <feedback format="html"><text><![CDATA[<p><em>Yes</em></p>]]></text></feedback></answer>
    <answer fraction="0" format="plain_text"><text><![CDATA[<b>not bold</b>]]></text>
      <feedback format="moodle_auto_format"><text>No</text></feedback></answer>
    </question>""")
    question, _result = one(xml)
    assert question.text_format == "html"
    assert question.text == "<p>First line<br>\nsecond line</p><p>New paragraph</p>"
    assert question.general_feedback == "<p>a &lt; b &amp; c<br>\n&nbsp; indented</p>"
    first, second = question.data["answers"]
    assert first["text"] == "<p><strong>bold</strong></p>" and first["feedback"] == "<p><em>Yes</em></p>"
    assert second["text"] == "<p>&lt;b&gt;not bold&lt;/b&gt;</p>" and second["feedback"] == "<p>No</p>"
    assert "format" not in first and "general_feedback_format" not in question.data


def test_one_shared_format_is_kept():
    xml = quiz("""<question type="truefalse"><name><text>MD</text></name>
    <questiontext format="markdown"><text>Is *this* true?</text></questiontext>
    <generalfeedback format="markdown"><text>**Yes**</text></generalfeedback>
    <answer fraction="100" format="moodle_auto_format"><text>true</text>
      <feedback format="markdown"><text>_good_</text></feedback></answer>
    <answer fraction="0" format="moodle_auto_format"><text>false</text>
      <feedback format="markdown"><text></text></feedback></answer></question>""")
    question, _result = one(xml)
    assert (question.text_format, question.text, question.general_feedback) == ("markdown", "Is *this* true?",
                                                                                "**Yes**")
    assert question.data["feedback_true"] == "_good_"


def test_html_texts_are_sanitised_not_read_as_markdown():
    html = bank.render_text('<pre>def f():\n    return 1</pre>\n\n    <p>*not em*</p><script>x()</script>', "html")
    assert "<pre>def f():\n    return 1</pre>" in html
    assert "*not em*" in html and "<em>" not in html and "<script>" not in html and "<code>" not in html


# --- 3. hints and combined feedback ---------------------------------------------------------

COMBINED = quiz("""
  <question type="matching">
    <name><text>Capitals</text></name>
    <questiontext format="html"><text>Match.</text></questiontext>
    <generalfeedback format="html"><text></text></generalfeedback>
    <defaultgrade>1.0000000</defaultgrade>
    <penalty>0.3333333</penalty>
    <hidden>0</hidden>
    <idnumber></idnumber>
    <shuffleanswers>true</shuffleanswers>
    <correctfeedback format="html"><text>Your answer is correct.</text></correctfeedback>
    <partiallycorrectfeedback format="html"><text>Your answer is partially correct.</text></partiallycorrectfeedback>
    <incorrectfeedback format="html"><text>Your answer is incorrect.</text></incorrectfeedback>
    <shownumcorrect/>
    <subquestion format="html"><text>Canada</text><answer><text>Ottawa</text></answer></subquestion>
    <subquestion format="html"><text>Italy</text><answer><text>Rome</text></answer></subquestion>
    <hint format="html"><text>Think of rivers.</text><shownumcorrect/><clearwrong/></hint>
    <hint format="html"><text>Ottawa is not Toronto.</text></hint>
  </question>""")


def test_hints_and_combined_feedback_are_read_and_written():
    question, _result = one(COMBINED)
    assert question.data["correct_feedback"] == "Your answer is correct."
    assert question.data["partial_feedback"] == "Your answer is partially correct."
    assert question.data["incorrect_feedback"] == "Your answer is incorrect."
    assert question.data["show_num_correct"] is True
    assert question.data["hints"] == [{"text": "Think of rivers.", "show_num_correct": True, "clear_wrong": True},
                                      {"text": "Ottawa is not Toronto."}]
    written = moodle_xml.dumps([question])
    assert "<shownumcorrect />" in written and "<clearwrong />" in written
    assert '<partiallycorrectfeedback format="html">' in written
    assert one(written)[0].data == question.data


def test_hints_and_combined_feedback_get_html_and_survive_the_editor():
    question, _result = one(COMBINED)
    data = bank.with_html("match", question.data, "html")
    assert data["correct_feedback_html"] == "Your answer is correct."
    assert data["hints"][0]["text_html"] == "Think of rivers."
    edited = QuestionDraft(qtype="match", name="Capitals", text="Match.", text_format="html",
                           data={"shuffle": True, "pairs": question.data["pairs"]})

    class Stored:  # what keep_extras reads of a saved question
        qtype = "match"
        data = bank.with_html("match", question.data, "html")

    bank.keep_extras(Stored(), edited)  # type: ignore[arg-type]
    assert edited.data == question.data


# --- 4. categories --------------------------------------------------------------------------

CATEGORIES = quiz("""
  <question type="category">
    <category><text>$course$/Delta</text></category>
    <info format="html"><text><![CDATA[<p>Delta's description</p>]]></text></info>
    <idnumber>delta-1</idnumber>
  </question>
  <question type="category">
    <category><text>$course$/Delta/Epsilon/Zeta</text></category>
    <info format="moodle_auto_format"><text>Zeta info</text></info>
    <idnumber>zeta</idnumber>
  </question>
  <question type="truefalse"><name><text>Zeta Question</text></name>
    <questiontext format="html"><text><![CDATA[<p>Testing Zeta Question</p>]]></text></questiontext>
    <answer fraction="100" format="moodle_auto_format"><text>true</text><feedback format="html"><text></text></feedback></answer>
    <answer fraction="0" format="moodle_auto_format"><text>false</text><feedback format="html"><text></text></feedback></answer>
  </question>""")


def test_categories_keep_description_and_idnumber():
    result = moodle_xml.parse(CATEGORIES)
    assert result.categories == ["Delta", "Delta/Epsilon/Zeta"]
    assert result.category_meta == {
        "Delta": {"info": "<p>Delta's description</p>", "info_format": "html", "idnumber": "delta-1"},
        "Delta/Epsilon/Zeta": {"info": "Zeta info", "info_format": "moodle", "idnumber": "zeta"}}
    assert result.questions[0].category == "Delta/Epsilon/Zeta"
    written = moodle_xml.dumps(result.questions, result.category_meta)
    assert written.index("$course$/top/Delta<") < written.index("$course$/top/Delta/Epsilon/Zeta<")
    assert "<idnumber>delta-1</idnumber>" in written and "<idnumber>zeta</idnumber>" in written
    again = moodle_xml.parse(written)
    assert again.category_meta == result.category_meta


# --- 5. grades ------------------------------------------------------------------------------

def test_a_grade_moodle_does_not_allow_is_refused_naming_the_question():
    # question/format/xml/tests/fixtures/error_invalid_grades.xml: 33 is not a third
    xml = quiz("""<question type="multichoice"><name><text>Question with invalid grades</text></name>
    <questiontext format="html"><text><![CDATA[Select all prime numbers :<br>]]></text></questiontext>
    <single>false</single>
    <answer fraction="-50" format="html"><text>1</text></answer>
    <answer fraction="33" format="html"><text>2</text></answer>
    <answer fraction="33.33333" format="html"><text>3</text></answer>
    <answer fraction="33.33333" format="html"><text>5</text></answer></question>""")
    result = moodle_xml.parse(xml)
    assert result.questions == [] and result.invalid == 1
    assert str(result.errors[0]).startswith("question 1 (“Question with invalid grades”): the weight 33% is not")


def test_right_answers_over_100_percent_import_with_a_warning_and_a_capped_grade():
    xml = quiz("""<question type="multichoice"><name><text>Generous</text></name>
    <questiontext format="html"><text>Pick.</text></questiontext><single>false</single>
    <answer fraction="50" format="html"><text>a</text></answer>
    <answer fraction="50" format="html"><text>b</text></answer>
    <answer fraction="50" format="html"><text>c</text></answer></question>""")
    question, result = one(xml)
    assert "add up to 150%" in str(result.warnings[0]) and "Generous" in str(result.warnings[0])
    assert grading.grade("multichoice", question.data, {"choices": [0, 1, 2]}).fraction == 1.0


# --- 6. numerical units ---------------------------------------------------------------------

UNITS = quiz("""<question type="numerical"><name><text>Length</text></name>
    <questiontext format="html"><text>How long is it?</text></questiontext>
    <answer fraction="100" format="moodle_auto_format"><text>1.5</text>
      <feedback format="html"><text>Yes.</text></feedback><tolerance>0.01</tolerance></answer>
    <units>
      <unit><multiplier>1</multiplier><unit_name>m</unit_name></unit>
      <unit><multiplier>100</multiplier><unit_name>cm</unit_name></unit>
    </units>
    <unitgradingtype>1</unitgradingtype>
    <unitpenalty>0.2000000</unitpenalty>
    <showunits>0</showunits>
    <unitsleft>0</unitsleft>
  </question>""")


def test_units_are_read_and_graded_as_moodle_does():
    question, result = one(UNITS)
    assert result.warnings == []
    data = question.data
    assert data["units"] == [{"name": "m", "multiplier": 1.0}, {"name": "cm", "multiplier": 100.0}]
    assert (data["unit_grading"], data["unit_penalty"], data["show_units"], data["units_left"]) == (1, 0.2, 0, False)

    def fraction(text, **changes):
        return grading.grade("numerical", {**data, **changes}, {"text": text}).fraction

    assert fraction("1.5 m") == 1 and fraction("150 cm") == 1 and fraction("150cm") == 1
    assert fraction("1.5") == pytest.approx(0.8)  # no unit: 20% of the response's grade off
    assert fraction("1.5 km") == pytest.approx(0.8)  # an unknown unit is a wrong unit
    assert fraction("150 m") == 0
    assert fraction("1.5", unit_grading=2, unit_penalty=0.5) == pytest.approx(0.5)
    assert fraction("1.5", unit_grading=0) == 1  # units optional: no penalty
    written = moodle_xml.dumps([question])
    assert "<unit_name>cm</unit_name>" in written and "<unitpenalty>0.2000000</unitpenalty>" in written
    assert one(written)[0].data == data


def test_units_written_on_the_left():
    units = [{"name": "$", "multiplier": 1.0}, {"name": "€", "multiplier": 0.5}]
    assert grading.number_with_unit("$ 3", units, units_left=True) == (3.0, True)
    assert grading.number_with_unit("€6", units, units_left=True) == (12.0, True)
    assert grading.number_with_unit("3", units, units_left=True) == (3.0, False)


# --- 7. GIFT keeps leading spaces -------------------------------------------------------------

def test_gift_html_question_keeps_the_spaces_of_pre():
    source = "::Code::[html]<p>What does it print?</p>\n<pre>\nfor i in range(2):\n    print(i)\n</pre>{=0 1}"
    question = gift.parse(source).questions[0]
    assert "for i in range(2):\n    print(i)" in question.text
    assert "    print(i)" in bank.render_text(question.text, "html")


# --- round trips: hub → Moodle XML → hub, hub → GIFT → hub ------------------------------------

def every_type() -> list[QuestionDraft]:
    def q(qtype, name, text, data, **kw):
        return QuestionDraft(qtype=qtype, name=name, text=text, text_format=kw.pop("text_format", "markdown"),
                             data=data, category=kw.pop("category", "Week 1/Ethics"), **kw)

    return [
        q("multichoice", "Single", "Pick **one**", {
            "single": True, "shuffle": False, "numbering": "123",
            "answers": [{"text": "a", "fraction": 1.0, "feedback": "yes"},
                        {"text": "b", "fraction": 0.0, "feedback": ""}]},
          general_feedback="Because.", idnumber="mc-1", tags=["history"], default_mark=2.0),
        q("multichoice", "Multi", "Pick some", {
            "single": False, "shuffle": True, "numbering": "abc",
            "answers": [{"text": "a", "fraction": 0.5, "feedback": ""}, {"text": "b", "fraction": 0.5, "feedback": ""},
                        {"text": "c", "fraction": -1.0, "feedback": "no"}]}),
        q("truefalse", "TF", "True?", {"correct": False, "feedback_true": "no", "feedback_false": "yes"}),
        q("shortanswer", "Short", "Say it", {"case_sensitive": False, "answers": [
            {"text": "hello", "fraction": 1.0, "feedback": "hi"}, {"text": "hel*", "fraction": 0.5, "feedback": ""}]}),
        q("numerical", "Num", "Count", {"answers": [
            {"value": 3.0, "tolerance": 0.5, "fraction": 1.0, "feedback": "ok"},
            {"value": None, "tolerance": 0.0, "fraction": 0.0, "feedback": "no"}]}),
        q("match", "Pairs", "Match", {"shuffle": True, "pairs": [
            {"question": "a", "answer": "1"}, {"question": "b", "answer": "2"}, {"question": "", "answer": "3"}]}),
        q("essay", "Essay", "Write", {"response_format": "editor", "lines": 15, "required": True,
                                      "grader_info": "", "template": ""}),
        q("description", "Info", "Just text.", {}, default_mark=0.0),
    ]


def with_moodle_extras(drafts: list[QuestionDraft]) -> list[QuestionDraft]:
    """The same questions with what only Moodle XML carries."""
    drafts = copy.deepcopy(drafts)
    by_name = {d.name: d for d in drafts}
    for name in ("Single", "Multi", "Pairs"):
        by_name[name].data.update({"correct_feedback": "Well done", "partial_feedback": "Almost",
                                   "incorrect_feedback": "Sorry", "show_num_correct": True})
    for draft in drafts:
        if draft.qtype not in ("essay", "description"):
            draft.data["hints"] = [{"text": "Think *twice*", "show_num_correct": True}, {"text": "Again",
                                                                                         "clear_wrong": True}]
    by_name["Num"].data.update({"units": [{"name": "kg", "multiplier": 1.0}, {"name": "g", "multiplier": 1000.0}],
                                "unit_grading": 2, "unit_penalty": 0.25, "show_units": 0, "units_left": False})
    by_name["Single"].files = {"x.png": PNG}
    by_name["Single"].text += " ![a flag](@@PLUGINFILE@@/x.png)"
    by_name["Essay"].data.update({"grader_info": "Look for *examples*", "template": "Start here"})
    return drafts


def fields_of(draft: QuestionDraft) -> dict:
    return {"qtype": draft.qtype, "name": draft.name, "text": draft.text, "text_format": draft.text_format,
            "general_feedback": draft.general_feedback, "data": draft.data, "category": draft.category,
            "idnumber": draft.idnumber, "tags": draft.tags, "default_mark": draft.default_mark,
            "files": draft.files}


def test_round_trip_every_field_of_every_type_through_moodle_xml():
    drafts = with_moodle_extras(every_type())
    drafts.append(QuestionDraft(qtype="multianswer", name="Cloze", text="Paris is in {1:MC:=France~Spain}.",
                                text_format="html", general_feedback="<p>See the map.</p>", category="Cloze",
                                idnumber="cz", default_mark=1.0))  # GIFT cannot carry Cloze: XML only
    result = moodle_xml.parse(moodle_xml.dumps(drafts))
    assert result.ok and result.warnings == [], (result.errors, result.warnings)
    assert [fields_of(q) for q in result.questions] == [fields_of(d) for d in drafts]


def test_round_trip_every_field_of_every_type_through_gift():
    drafts = every_type()
    for draft in drafts:  # what GIFT cannot say: Moodle's defaults
        draft.default_mark = 0.0 if draft.qtype == "description" else 1.0
        if draft.qtype == "multichoice":
            draft.data.update({"shuffle": True, "numbering": "abc"})
    result = gift.parse(gift.dumps(drafts, default_format="moodle"))
    assert result.ok and result.warnings == [], (result.errors, result.warnings)
    assert [fields_of(q) for q in result.questions] == [fields_of(d) for d in drafts]
