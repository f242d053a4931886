"""The Comments page and the "What people said" sections with AppTest."""
from __future__ import annotations

import sqlalchemy as sa
from pagetest import figure, infos, run

from impact.comments import CommentStore, coded, load
from impact.store import Store

PAGE = "pages/comments.py"


def _metric(at, label):
    return next(m.value for m in at.metric if m.label == label)


def test_the_comments_page_shows_the_demo_comments_and_what_staff_confirmed(demo):
    store = Store(demo)
    ids = list(coded(store.frames(), load(store))["comment_id"][:3])
    cs = CommentStore(store)
    cs.confirm([{"comment_id": i, "codes": "skills", "tone": "positive"} for i in ids], coder="Ann")
    cs.confirm([{"comment_id": i, "codes": "skills; activity", "tone": "positive"} for i in ids], coder="Bo")
    at = run(PAGE)
    assert int(_metric(at, "Comments in scope").replace(",", "")) > 1000
    assert _metric(at, "Confirmed by staff") == "3"
    assert [t.label for t in at.tabs] == ["Code comments", "Themes", "Quote bank", "Agreement", "Codebook"]
    # agreement of the two coders on the same three comments: kappa for tone is not defined (all positive)
    assert any(m.label.startswith("Agreement on tone") for m in at.metric)
    agreement = next(d.value for d in at.dataframe if "kappa" in d.value.columns)
    assert agreement.set_index("code").loc["activity", "only Bo"] == 3
    themes = next(d.value for d in at.dataframe if "top words" in d.value.columns)
    assert len(themes) >= 2 and themes["examples"].str.len().gt(0).all()
    assert "Left out:" in " ".join(c.value for c in at.caption)  # consent and names, said plainly


def test_the_comments_page_on_an_empty_database_says_what_to_do(app):
    at = run(PAGE)
    assert "upload" in infos(at).lower() and at.get("page_link")


def test_the_outcomes_page_says_what_people_said_with_n_and_the_table_behind(demo):
    at = run("pages/outcomes.py")
    assert "What people said" in [h.value for h in at.header]
    fig = figure(at, "comments describing each outcome")
    assert "n = " in fig["data"][0]["hovertemplate"]
    table = next(d.value for d in at.dataframe if "matching outcome" in d.value.columns)
    assert {"comments with code", "comments", "share %", "low %", "high %", "outcome positive %"} <= set(table.columns)
    assert any(m.label == "Tone: negative" for m in at.metric)  # the critical comments are counted too


def test_the_programmes_page_says_what_participants_of_one_programme_said(demo):
    at = run("pages/programmes.py")
    assert "What participants said" in [h.value for h in at.header]
    said = [c.value for c in at.caption if "comments in scope" in c.value]
    assert said and int(said[0].split()[0].replace(",", "")) < 1000  # one programme, not the whole service


def test_saving_asks_who_is_coding_and_the_codebook_saves_through_the_page(demo):
    from ui.comments import CommentKeys as K

    at = run(PAGE)
    at.button(key=K.SAVE).click().run()
    assert "name or initials" in " ".join(e.value for e in at.error)  # nobody named: nothing saved
    at.text_input(key=K.CODER).set_value("AB").run()
    at.button(key=K.SAVE).click().run()
    assert "Tick 'confirm'" in " ".join(w.value for w in at.warning)
    assert CommentStore(Store(demo)).confirmed().empty
    at.button(key=K.SAVE_CODEBOOK).click().run()
    assert not at.exception
    stored = CommentStore(Store(demo)).codebook_table
    with Store(demo).engine.connect() as conn:
        saved = conn.execute(sa.select(stored.c.code, stored.c.updated_by).order_by(stored.c.position)).all()
    assert saved[0] == ("knowledge", "AB") and len(saved) == 10


def test_the_outcomes_page_breaks_the_codes_down_by_the_chosen_dimension(demo):
    from ui.common import Keys

    at = run("pages/outcomes.py")
    at.selectbox(key=Keys.OUTCOMES_BY).set_value("programme").run()
    assert not [d for d in at.dataframe if "programme" in d.value.columns and "label" in d.value.columns]
    at.session_state["outcomes.said.codes_by_box"] = True  # drawn (and worked out) once opened
    at.run()
    table = next(d.value for d in at.dataframe if "programme" in d.value.columns and "label" in d.value.columns)
    assert table["programme"].nunique() > 10
    assert {"comments with code", "share %", "outcome positive %", "outcome n"} <= set(table.columns)


def _quotes_shown(at) -> str:
    return " ".join(m.value for m in at.markdown if m.value.startswith(("**In participants' words", "> “")))


def test_a_quote_decision_shows_on_outcomes_and_programmes_at_the_next_rerun(demo):
    """A quote approved on the Comments page replaces the proposals on the next rerun of a page that already
    showed them (the section's memo is keyed on the decisions too, not only on the data version)."""
    from impact.comments import what_people_said
    from impact.filters import Filters
    from ui.common import Keys

    store = Store(demo)
    at = run("pages/outcomes.py")
    assert "(proposed, not yet approved" in _quotes_shown(at)
    said = what_people_said(store.frames(), load(store), None, None, 10, int(store.setting("suppress_n")), limit=6)
    picked = said.quotes.quotes.iloc[0]
    approved = "the volunteers were patient and i can now send emails to my family"
    CommentStore(store).decide_quotes([{"comment_id": picked["comment_id"], "status": "approved", "text": approved,
                                        "attribution": picked["attribution"]}], who="AB")
    at.run()
    shown = _quotes_shown(at)
    assert approved in shown and "proposed" not in shown
    CommentStore(store).decide_quotes([{"comment_id": picked["comment_id"], "status": "rejected"}], who="AB")
    at.run()
    assert approved not in _quotes_shown(at) and "(proposed, not yet approved" in _quotes_shown(at)

    at.switch_page("pages/programmes.py").run()
    name = at.selectbox(key=Keys.PROGRAMME).value
    one = what_people_said(store.frames(), load(store), Filters(programmes=(name,)), None, 10,
                           int(store.setting("suppress_n")), limit=6).quotes.quotes
    assert "(proposed, not yet approved" in _quotes_shown(at) and len(one)
    CommentStore(store).decide_quotes([{"comment_id": one.iloc[0]["comment_id"], "status": "approved",
                                        "text": approved, "attribution": one.iloc[0]["attribution"]}], who="AB")
    at.run()
    shown = _quotes_shown(at)
    assert approved in shown and "proposed" not in shown
