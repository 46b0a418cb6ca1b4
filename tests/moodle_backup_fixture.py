"""Builds Moodle 4.x course backups (.mbz) for the tests, file by file, in the layout
Moodle's backup writes (backup/moodle2/backup_stepslib.php and each module's
backup/moodle2/backup_<module>_stepslib.php): no binary backup is kept in the repository.

``backup_files()`` returns {path in the archive: bytes}; ``mbz(files)`` packs them as
Moodle does (a gzip tar), ``mbz_zip(files)`` as older Moodles did (a zip)."""
from __future__ import annotations

import hashlib
import io
import json
import tarfile
import zipfile
from xml.sax.saxutils import escape

# The smallest PNG: a signature and enough bytes for the hub's image check.
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
PNG_TWO = PNG + b"\x00\x00\x00\x00IEND\xaeB`\x82"
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
NULL = "$@NULL@$"
COURSE_CONTEXT, QUIZ_CONTEXT, PAGE_CONTEXT, BOOK_CONTEXT = "20", "41", "42", "43"


def sha1(data: bytes) -> str:
    return hashlib.sha1(data).hexdigest()  # noqa: S324  (Moodle's content hash)


def el(tag: str, text=None, **attrs) -> str:
    attributes = "".join(f' {k}="{escape(str(v))}"' for k, v in attrs.items())
    return f"<{tag}{attributes}>{'' if text is None else escape(str(text))}</{tag}>"


def fields(**values) -> str:
    return "".join(el(key, value) for key, value in values.items())


def moodle_backup_xml(sections: list[tuple[str, str, str]], activities: list[tuple[str, str, str, str]]) -> str:
    """sections: (id, number, title); activities: (moduleid, sectionid, modulename, title)."""
    acts = "".join(f"<activity>{fields(moduleid=m, sectionid=s, modulename=n, title=t, directory=f'activities/{n}_{m}')}"
                   f"</activity>" for m, s, n, t in activities)
    secs = "".join(f"<section>{fields(sectionid=i, title=t, directory=f'sections/section_{i}')}</section>"
                   for i, _n, t in sections)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<moodle_backup><information>'
            + fields(name="backup-moodle2-course-2-se101-20250101-1200-nu.mbz", moodle_version="2024100700",
                     moodle_release="4.5 (Build: 20241007)", backup_version="2024100700", backup_release="4.5",
                     backup_date="1735732800", mnet_remoteusers="0", include_files="1", include_file_references_to_external_content="0",
                     original_wwwroot="https://moodle.example.org", original_site_identifier_hash="abc",
                     original_course_id="2", original_course_format="topics", original_course_fullname="Supported employment basics",
                     original_course_shortname="SE101", original_course_startdate="1735689600",
                     original_course_enddate="0", original_course_contextid=COURSE_CONTEXT,
                     original_system_contextid="1")
            + "<details><detail backup_id=\"6f1b\">" + fields(type="course", format="moodle2", interactive="1",
                                                               mode="10", execution="1", executiontime="0")
            + "</detail></details>"
            + f"<contents><activities>{acts}</activities><sections>{secs}</sections>"
            + f"<course>{fields(courseid='2', title='SE101', directory='course')}</course></contents>"
            + "<settings><setting>" + fields(level="root", name="filename", value="backup.mbz") + "</setting></settings>"
            + "</information></moodle_backup>\n")


def section_xml(section_id: str, number: str, name: str, summary: str, sequence: str) -> str:
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<section id="{section_id}">'
            + fields(number=number, name=name, summary=summary, summaryformat="1", sequence=sequence, visible="1",
                     availabilityjson=NULL, timemodified="1735732800")
            + "</section>\n")


def module_xml(module_id: str, modulename: str, section_id: str, number: str, visible: str = "1") -> str:
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<module id="{module_id}" version="2024100700">'
            + fields(modulename=modulename, sectionid=section_id, sectionnumber=number, idnumber="",
                     added="1735732800", score="0", indent="0", visible=visible, visibleoncoursepage="1",
                     visibleold="1", groupmode="0", groupingid="0", completion="0", completiongradeitemnumber=NULL,
                     completionpassgrade="0", completionview="0", completionexpected="0", availability=NULL,
                     showdescription="0", downloadcontent="1", lang="")
            + "</module>\n")


def activity(module_id: str, modulename: str, context: str, instance_id: str, inner: str) -> str:
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<activity id="{instance_id}" moduleid="{module_id}" '
            f'modulename="{modulename}" contextid="{context}">{inner}</activity>\n')


def file_entry(file_id: int, data: bytes, context: str, component: str, area: str, item: str, name: str,
               mimetype: str) -> str:
    return (f'<file id="{file_id}">'
            + fields(contenthash=sha1(data), contextid=context, component=component, filearea=area, itemid=item,
                     filepath="/", filename=name, userid="2", filesize=len(data), mimetype=mimetype, status="0",
                     timecreated="1735732800", timemodified="1735732800", source=name, author="Teacher",
                     license="allrightsreserved", sortorder="0", repositorytype=NULL, repositoryid=NULL,
                     reference=NULL)
            + "</file>")


def answer(answer_id: str, text: str, fraction: str, feedback: str = "") -> str:
    return (f'<answer id="{answer_id}">' + fields(answertext=text, answerformat="1", fraction=fraction,
                                                  feedback=feedback, feedbackformat="1") + "</answer>")


def question(question_id: str, name: str, qtype: str, text: str, plugin: str, mark: str = "1.0000000",
             parent: str = "0", tags: tuple[str, ...] = ()) -> str:
    tag_xml = "".join(f'<tag id="{i}">{fields(name=t.lower(), rawname=t)}</tag>' for i, t in enumerate(tags, 1))
    return (f'<question id="{question_id}">'
            + fields(parent=parent, name=name, questiontext=text, questiontextformat="1",
                     generalfeedback="<p>General feedback.</p>", generalfeedbackformat="1", defaultmark=mark,
                     penalty="0.3333333", qtype=qtype, length="1", stamp=f"moodle.example.org+{question_id}",
                     timecreated="1735732800", timemodified="1735732800", createdby="2", modifiedby="2")
            + f"<plugin_qtype_{qtype}_question>{plugin}</plugin_qtype_{qtype}_question>"
            + "<plugin_qbank_comment_question><comments></comments></plugin_qbank_comment_question>"
            + "<plugin_qbank_customfields_question><customfields></customfields></plugin_qbank_customfields_question>"
            + f"<question_hints></question_hints><tags>{tag_xml}</tags></question>")


def entry(entry_id: str, category: str, *versions: str, idnumber: str = NULL) -> str:
    """A bank entry with its versions (each the ``<question>`` elements of one version)."""
    body = "".join(f'<question_versions id="{entry_id}{n}">{fields(version=n, status="ready")}'
                   f"<questions>{q}</questions></question_versions>" for n, q in enumerate(versions, 1))
    return (f'<question_bank_entry id="{entry_id}">' + fields(questioncategoryid=category, idnumber=idnumber,
                                                              ownerid="2")
            + f"<question_version>{body}</question_version></question_bank_entry>")


def category(category_id: str, name: str, parent: str, entries: str = "", context: str = COURSE_CONTEXT) -> str:
    return (f'<question_category id="{category_id}">'
            + fields(name=name, contextid=context, contextlevel="50", contextinstanceid="2",
                     info="", infoformat="1", stamp=f"moodle.example.org+cat{category_id}", parent=parent,
                     sortorder="999", idnumber=NULL)
            + f"<question_bank_entries>{entries}</question_bank_entries></question_category>")


def mc_plugin(first: int, right: str, wrong: str) -> str:
    return ("<answers>" + answer(str(first), right, "1.0000000", "<p>Yes.</p>")
            + answer(str(first + 1), wrong, "0.0000000", "<p>No.</p>") + "</answers>"
            + f'<multichoice id="{first}">' + fields(layout="0", single="1", shuffleanswers="1",
                                                      correctfeedback="", correctfeedbackformat="1",
                                                      partiallycorrectfeedback="", partiallycorrectfeedbackformat="1",
                                                      incorrectfeedback="", incorrectfeedbackformat="1",
                                                      answernumbering="abc", shownumcorrect="0",
                                                      showstandardinstruction="0") + "</multichoice>")


def questions_xml() -> str:
    mc = question("101", "Place then train", "multichoice",
                  '<p>Which comes first? <img src="@@PLUGINFILE@@/ips.png" alt="IPS"></p>',
                  mc_plugin(201, "<p>Place</p>", "<p>Train</p>"), mark="2.0000000", tags=("IPS",))
    mc_old = question("100", "Place then train", "multichoice", "<p>Old wording</p>",
                      mc_plugin(199, "<p>Place</p>", "<p>Train</p>"))
    tf = question("102", "Rapid job search", "truefalse", "<p>IPS starts the job search quickly.</p>",
                  "<answers>" + answer("203", "True", "1.0000000", "<p>Right.</p>")
                  + answer("204", "False", "0.0000000", "<p>It does.</p>") + "</answers>"
                  + f'<truefalse id="1">{fields(trueanswer="203", falseanswer="204", showstandardinstruction="0")}'
                  + "</truefalse>")
    sa = question("103", "Acronym", "shortanswer", "<p>Individual Placement and ... ?</p>",
                  "<answers>" + answer("205", "Support", "1.0000000") + "</answers>"
                  + f'<shortanswer id="1">{fields(usecase="0")}</shortanswer>')
    num = question("104", "Principles", "numerical", "<p>How many IPS principles are there?</p>",
                   "<answers>" + answer("206", "8", "1.0000000") + "</answers>"
                   + '<numerical_records><numerical_record id="1">' + fields(answer="206", tolerance="0")
                   + "</numerical_record></numerical_records><numerical_options></numerical_options>"
                   + "<numerical_units></numerical_units>")
    match = question("105", "Roles", "match", "<p>Match the roles.</p>",
                     '<matchoptions id="1">' + fields(shuffleanswers="1", correctfeedback="",
                                                        correctfeedbackformat="1", partiallycorrectfeedback="",
                                                        partiallycorrectfeedbackformat="1", incorrectfeedback="",
                                                        incorrectfeedbackformat="1", shownumcorrect="0")
                     + "</matchoptions><matches>"
                     + f'<match id="1">{fields(questiontext="<p>Job coach</p>", questiontextformat="1", answertext="Finds jobs")}</match>'
                     + f'<match id="2">{fields(questiontext="<p>Employer</p>", questiontextformat="1", answertext="Hires")}</match>'
                     + "</matches>")
    essay = question("106", "Reflect", "essay", "<p>Describe one placement.</p>",
                     '<essay id="1">' + fields(responseformat="editor", responserequired="1", responsefieldlines="10",
                                               minwordlimit=NULL, maxwordlimit=NULL, attachments="0",
                                               attachmentsrequired="0", graderinfo="<p>Look for detail.</p>",
                                               graderinfoformat="1", responsetemplate="", responsetemplateformat="1",
                                               maxbytes="0", filetypeslist="") + "</essay>",
                     mark="3.0000000")
    cloze = question("107", "Gaps", "multianswer", "<p>IPS means {#1} placement and {#2} support.</p>",
                     f'<multianswer id="1">{fields(question="107", sequence="108,109")}</multianswer>',
                     mark="2.0000000")
    cloze_parts = (question("108", "gap 1", "shortanswer", "{1:SHORTANSWER:=individual}", "", parent="107")
                   + question("109", "gap 2", "multichoice", "{1:MULTICHOICE:=continuous~occasional}", "",
                              parent="107"))
    calculated = question("110", "Wage sum", "calculated", "<p>{a} + {b}?</p>", "<answers></answers>")
    pool = "".join(entry(f"3{i}", "13", question(f"12{i}", f"Pool question {i}", "truefalse",
                                                   f"<p>Statement {i}.</p>",
                                                   "<answers>" + answer(f"3{i}1", "True", "1.0000000")
                                                   + answer(f"3{i}2", "False", "0.0000000") + "</answers>"
                                                   + f'<truefalse id="1{i}">'
                                                   + fields(trueanswer=f"3{i}1", falseanswer=f"3{i}2") + "</truefalse>"))
                   for i in range(1, 4))
    default_entries = (entry("21", "12", mc_old, mc, idnumber="IPS-1") + entry("22", "12", tf) + entry("23", "12", sa)
                       + entry("24", "12", num) + entry("25", "12", match) + entry("26", "12", essay)
                       + entry("27", "12", cloze + cloze_parts) + entry("28", "12", calculated))
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<question_categories>'
            + category("11", "top", "0")
            + category("12", "Default for SE101", "11", default_entries)
            + category("13", "Pool", "12", pool)
            + category("14", "Empty drawer", "12")
            + "</question_categories>\n")


def quiz_xml() -> str:
    def instance(slot: int, mark: str, ref: str) -> str:
        return (f'<question_instance id="{slot}">'
                + fields(quizid="1", slot=slot, page=(slot + 1) // 2, displaynumber=NULL, requireprevious="0",
                         maxmark=mark, quizgradeitemid=NULL) + ref + "</question_instance>")

    def fixed(entry_id: str) -> str:
        return ('<question_reference id="1">' + fields(usingcontextid=QUIZ_CONTEXT, component="mod_quiz",
                                                      questionarea="slot", questionbankentryid=entry_id,
                                                      version=NULL) + "</question_reference>")

    def random(condition: dict) -> str:
        return ('<question_set_reference id="1">' + fields(usingcontextid=QUIZ_CONTEXT, component="mod_quiz",
                                                          questionarea="slot", questionscontextid=COURSE_CONTEXT,
                                                          filtercondition=json.dumps(condition))
                + "</question_set_reference>")

    new_style = {"cat": f"13,{COURSE_CONTEXT}", "qpage": 0, "qperpage": 100, "tabname": "questions",
                 "filter": {"category": {"jointype": 1, "values": ["13"],
                                         "filteroptions": {"includesubcategories": False}},
                            "hidden": {"jointype": 1, "values": ["0"]}}}
    old_style = {"questioncategoryid": "13", "includingsubcategories": "0"}
    # bits: during 0x10000, immediately after 0x01000, later while open 0x00100, after close 0x00010
    review = {"reviewattempt": 0x11110, "reviewcorrectness": 0x00010, "reviewmaxmarks": 0x11110,
              "reviewmarks": 0x01010, "reviewspecificfeedback": 0x01000, "reviewgeneralfeedback": 0x01000,
              "reviewrightanswer": 0x00010, "reviewoverallfeedback": 0x00010}
    quiz = ('<quiz id="1">'
            + fields(name="Check your understanding", intro="<p>Ten minutes, <strong>open book</strong>.</p>",
                     introformat="1", timeopen="1767225600", timeclose="0", timelimit="1230",
                     overduehandling="autosubmit", graceperiod="0", preferredbehaviour="deferredfeedback",
                     canredoquestions="0", attempts_number="3", attemptonlast="0", grademethod="2",
                     decimalpoints="2", questiondecimalpoints="-1", **{k: str(v) for k, v in review.items()},
                     questionsperpage="2", navmethod="free", shuffleanswers="0", sumgrades="9.00000",
                     grade="10.00000", timecreated="1735732800", timemodified="1735732800", password="",
                     subnet="", browsersecurity="-", delay1="0", delay2="0", showuserpicture="0", showblocks="0",
                     completionattemptsexhausted="0", completionminattempts="0", allowofflineattempts="0")
            + "<quiz_grade_items></quiz_grade_items><question_instances>"
            + instance(1, "2.0000000", fixed("21"))
            + instance(2, "1.0000000", fixed("27"))
            + instance(3, "0.5000000", random(new_style))
            + instance(4, "0.5000000", random(old_style))
            + instance(5, "1.0000000", fixed("28"))
            + instance(6, "1.0000000", fixed("22"))
            + "</question_instances><sections>"
            + f'<section id="1">{fields(firstslot="1", heading="", shufflequestions="1")}</section>'
            + "</sections><feedbacks>"
            + f'<feedback id="1">{fields(feedbacktext="<p>Well done</p>", feedbacktextformat="1", mingrade="8.00000", maxgrade="11.00000")}</feedback>'
            + f'<feedback id="2">{fields(feedbacktext="<p>Read the book again</p>", feedbacktextformat="1", mingrade="0.00000", maxgrade="8.00000")}</feedback>'
            + "</feedbacks><overrides></overrides><grades></grades><attempts></attempts></quiz>")
    return activity("7", "quiz", QUIZ_CONTEXT, "1", quiz)


def grades_xml() -> str:
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<activity_gradebook><grade_items><grade_item id="5">'
            + fields(categoryid="1", itemname="Check your understanding", itemtype="mod", itemmodule="quiz",
                     iteminstance="1", itemnumber="0", grademax="10.00000", grademin="0.00000",
                     gradepass="6.00000")
            + "</grade_item></grade_items><grade_letters></grade_letters></activity_gradebook>\n")


def backup_files() -> dict[str, bytes]:
    page_html = ('<h3>Why place first</h3><p>People learn the job <em>on the job</em>.</p>'
                 '<p><img src="@@PLUGINFILE@@/diagram%20one.png" alt="The IPS cycle"></p>'
                 '<p><a href="@@PLUGINFILE@@/handout.pdf">Handout</a></p><ul><li>Zero exclusion</li></ul>')
    chapter_one = '<p>The first meeting.</p><p><img src="@@PLUGINFILE@@/meeting.png" alt="Meeting"></p>'
    book = ('<book id="1">' + fields(name="The IPS handbook", intro="", introformat="1", numbering="1",
                                       navstyle="1", customtitles="0", timecreated="0", timemodified="0")
            + "<chapters>"
            + f'<chapter id="31">{fields(pagenum="2", subchapter="1", title="Follow-along support", content="<p>Support never ends.</p>", contentformat="1", hidden="0", timecreated="0", timemodified="0", importsrc="")}<tags></tags></chapter>'
            + f'<chapter id="30">{fields(pagenum="1", subchapter="0", title="Getting to know the person", content=chapter_one, contentformat="1", hidden="0", timecreated="0", timemodified="0", importsrc="")}<tags></tags></chapter>'
            + f'<chapter id="32">{fields(pagenum="3", subchapter="0", title="Draft notes", content="<p>Hidden.</p>", contentformat="1", hidden="1", timecreated="0", timemodified="0", importsrc="")}<tags></tags></chapter>'
            + "</chapters></book>")
    page = ('<page id="1">' + fields(name="Place, then train", intro="<p>About IPS</p>", introformat="1",
                                       content=page_html, contentformat="1", legacyfiles="0",
                                       legacyfileslast=NULL, display="5", displayoptions='a:0:{}',
                                       revision="1", timemodified="1735732800") + "</page>")
    second_png = PNG_TWO
    files = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<files>"
             + file_entry(1, PNG, PAGE_CONTEXT, "mod_page", "content", "0", "diagram one.png", "image/png")
             + file_entry(2, PDF, PAGE_CONTEXT, "mod_page", "content", "0", "handout.pdf", "application/pdf")
             + file_entry(3, second_png, BOOK_CONTEXT, "mod_book", "chapter", "30", "meeting.png", "image/png")
             + file_entry(4, PNG, COURSE_CONTEXT, "question", "questiontext", "101", "ips.png", "image/png")
             + "</files>\n")
    sections = [("3", "2", "Deeper"), ("1", "0", "$@NULL@$"), ("2", "1", "Getting started")]
    activities = [("4", "1", "forum", "Announcements"), ("5", "2", "page", "Place, then train"),
                  ("6", "2", "assign", "Write a plan"), ("8", "3", "book", "The IPS handbook"),
                  ("7", "3", "quiz", "Check your understanding")]
    out: dict[str, str | bytes] = {
        "moodle_backup.xml": moodle_backup_xml(sections, activities),
        "course/course.xml": ('<?xml version="1.0" encoding="UTF-8"?>\n<course id="2" contextid="20">'
                              + fields(shortname="SE101", fullname="Supported employment basics", idnumber="",
                                       summary="<p>Learn <b>IPS</b> step by step.</p>", summaryformat="1",
                                       format="topics", showgrades="1", newsitems="5", startdate="1735689600",
                                       enddate="0", marker="0", maxbytes="0", legacyfiles="0", showreports="0",
                                       visible="1", groupmode="0", groupmodeforce="0", defaultgroupingid="0",
                                       lang="es", theme="", timecreated="0", timemodified="0", requested="0",
                                       showactivitydates="1", showcompletionconditions="1", enablecompletion="1",
                                       completionnotify="0")
                              + "<category id=\"1\"><name>Miscellaneous</name><description>$@NULL@$</description>"
                              + "</category><tags></tags></course>\n"),
        "sections/section_1/section.xml": section_xml("1", "0", NULL, "", "4"),
        "sections/section_2/section.xml": section_xml("2", "1", "Getting started", "<p>Start here.</p>", "6,5"),
        "sections/section_3/section.xml": section_xml("3", "2", NULL, "", "8,7"),
        "activities/forum_4/module.xml": module_xml("4", "forum", "1", "0"),
        "activities/forum_4/forum.xml": activity("4", "forum", "40", "1", '<forum id="1"><type>news</type></forum>'),
        "activities/page_5/module.xml": module_xml("5", "page", "2", "1"),
        "activities/page_5/page.xml": activity("5", "page", PAGE_CONTEXT, "1", page),
        "activities/assign_6/module.xml": module_xml("6", "assign", "2", "1"),
        "activities/book_8/module.xml": module_xml("8", "book", "3", "2", visible="0"),
        "activities/book_8/book.xml": activity("8", "book", BOOK_CONTEXT, "1", book),
        "activities/quiz_7/module.xml": module_xml("7", "quiz", "3", "2"),
        "activities/quiz_7/quiz.xml": quiz_xml(),
        "activities/quiz_7/grades.xml": grades_xml(),
        "questions.xml": questions_xml(),
        "files.xml": files,
    }
    for data in (PNG, PDF, second_png):
        out[f"files/{sha1(data)[:2]}/{sha1(data)}"] = data
    return {name: data if isinstance(data, bytes) else data.encode("utf-8") for name, data in out.items()}


def mbz(files: dict[str, bytes]) -> bytes:
    """A gzip tar, as Moodle 2.6+ writes .mbz files."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def mbz_zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()
