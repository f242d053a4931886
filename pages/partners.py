"""Partners: is each partnership shared, and is it working for every party? The five stakes, both sides'
health checks, agreed against delivered, the network, and each partner's profile."""
import streamlit as st

from impact import charts, equity, partner_views, views
from impact.equity.partners import LIBRARY, Thresholds
from impact.safe_text import markdown as as_text
from ui.auth import require_page
from ui.common import (
    Keys,
    chart,
    empty_state,
    filters,
    memo,
    prepared,
    stored_settings,
    table_with_download,
)
from ui.filterbar import page_choice

require_page("explore")  # refused before any figure when nobody is signed in
st.title("Partners")
st.caption("Are efforts, outputs, money, marketing and results shared, party by party (the library included), "
           "and is each partnership working for both sides? Colours show the partnership type everywhere.")

data = prepared()
chosen = filters()
limits = Thresholds.from_settings(stored_settings())


def _computed(scope, thresholds):
    """Everything the page shows for one scope, once per database change and account scope (read-only, shared)."""
    found = equity.partnerships(data, scope, thresholds)
    stakes = partner_views.stakes_table(found.fairness)
    overview = partner_views.partnerships_table(found.fairness)
    both = partner_views.feedback_table(found.feedback)
    return {"found": found, "stakes": stakes, "overview": overview, "both": both,
            "parties": partner_views.parties_table(found.fairness),
            "deliveries": partner_views.deliveries_table(found.fairness),
            "stake_chart": charts.stake_bars(stakes, list(overview["programme"])) if len(stakes) else None,
            "feedback_chart": charts.feedback_dumbbell(both) if len(both) else None,
            "network_chart": charts.network(equity.graph(data, scope)),
            "network_tables": views.network_tables(found.network)}


shown = memo("partners.page", _computed, chosen, limits)
found = shown["found"]
fair, said, net = found.fairness, found.feedback, found.network
if found.empty:
    listed = f"{len(data.partners):,} partners are listed but none is linked to a programme in scope. " \
        if len(data.partners) else ""
    empty_state(listed + "To see whether partnerships are shared, upload a Programme partners sheet: for each "
                "programme and partner, the staff hours, sessions led, cash and in-kind value, whether it promoted "
                "the programme and whether it was credited. To hear both sides, add a Partnership health check "
                "sheet (the template has both). Or widen the filters.")

# --- what to talk about first ------------------------------------------------------------------------
cols = st.columns(4)
cols[0].metric("Partnership programmes", f"{len(fair.partnerships):,}", border=True)
cols[0].caption(f"of {fair.programmes_in_scope:,} programmes in scope")
cols[1].metric("Not shared", f"{len(fair.not_shared):,}", border=True,
               help=f"a party carries more than {limits.most:.0%} of the staff hours, sessions or money and gets "
                    f"none of the credit or promotion, or its contribution and recognition shares are more than "
                    f"{limits.gap:.0%} apart (settings)")
judged = sum(1 for p in fair.partnerships if p.shared is not None)
cols[1].caption(f"of {judged:,} with promotion or credit recorded")
cols[2].metric("Imbalance", f"{fair.imbalance:.2f}" if fair.imbalance is not None else "–", border=True,
               help="½ Σ |contribution share − recognition share| over parties, each averaged over the partnership "
                    "programmes: 0 = everyone recognised in proportion to what it gives")
cols[2].caption("0 = recognised as they give; 1 = one side gives, the other takes the credit")
cols[3].metric("Library rates higher", f"{len(said.library_rates_higher):,}", border=True,
               help=f"partnerships the library rates {limits.rating_gap:g} point(s) or more above the partner "
                    "does, in the partnership health check")
cols[3].caption(f"of {said.both_sides:,} partnerships with both sides' health checks")

st.header("Partnerships not shared, and for whom it is not working")
across = [f for f in fair.findings if f.programme is None]
words = [f.words for f in across] + [f.words for p in fair.not_shared for f in p.findings]
working = [p.words for p in said.library_rates_higher] + [n.words for n in said.not_working]
if words or working:
    st.markdown("\n".join(f"- {as_text(w)}" for w in words + working))
else:
    st.caption("Every partnership in scope shares its stakes, and no health check says it is not working.")
if not said.partnerships:
    st.caption("No partnership health checks yet: add a Partnership health check sheet (each side's 1-5 answers) "
               "to see whether it works for them.")

# --- the five stakes -----------------------------------------------------------------------------------
st.header("The five stakes per partnership")
stakes, overview = shown["stakes"], shown["overview"]
if len(stakes):
    chart(shown["stake_chart"], key="partners.stakes")
    st.caption(f"Each bar is one partnership programme (n = {len(overview):,}), not shared first; the library "
               "service in dark grey beside its partners coloured by partnership type. Efforts = staff hours, "
               "outputs = sessions led or co-delivered, money = cash and in-kind (only where a partner puts money "
               "in), marketing = promotion (by reach where recorded), results = credit. A blank panel: not recorded.")
    st.markdown("**The tables behind this chart**")
    table_with_download(overview, "partnerships.csv", key="download.partners.partnerships", height=280)
    table_with_download(stakes, "partnership_stakes.csv", key="download.partners.stakes", height=280)
st.markdown("**Each party across its partnership programmes**")
table_with_download(shown["parties"], "partnership_parties.csv", key="download.partners.parties")
st.caption(fair.note)

# --- both sides -----------------------------------------------------------------------------------------
st.header("Is it working for them? Both sides' health checks")
if said.partnerships:
    both = shown["both"]
    chart(shown["feedback_chart"], key="partners.feedback")
    st.caption(f"{said.rows:,} health checks (the latest per side), {said.both_sides:,} partnerships with both sides. "
               + said.note)
    table_with_download(both, "partnership_health_checks.csv", key="download.partners.feedback")
else:
    st.caption("No health checks recorded for these filters.")

# --- agreed against delivered ---------------------------------------------------------------------------
st.header("Agreed against delivered")
if fair.deliveries:
    table_with_download(shown["deliveries"], "agreed_vs_delivered.csv",
                        key="download.partners.agreed")
    st.caption(f"Agreed: the split in the partnership agreement (agreed efforts, outputs, money per partner; the "
               f"library agreed what the partners' shares leave). More than {limits.tolerance:.0%} apart: over- "
               "or under-delivered.")
else:
    st.caption("No agreed splits recorded: add agreed efforts, outputs or money shares to the programme partners "
               "sheet to compare them with what was delivered.")

# --- the network ----------------------------------------------------------------------------------------
st.header("The partnership network")
chart(shown["network_chart"], key="partners.network")
people, links = shown["network_tables"]
st.caption(f"{len(net.partners):,} partners and {net.programmes:,} programmes with partners (grey squares). "
           f"{len(net.clusters):,} groups of partners work together; {len(net.library_only):,} work with the library "
           "alone" + (f" ({', '.join(net.library_only[:6])}{'…' if len(net.library_only) > 6 else ''})"
                      if net.library_only else "") + ".")
st.markdown("**The tables behind the network**")
table_with_download(people, "network_partners.csv", key="download.partners.network", height=280)
table_with_download(links, "co_partner_links.csv", key="download.partners.links", height=280)

# --- one partner ------------------------------------------------------------------------------------------
st.header("Partner profile")
names = sorted(p.party for p in fair.partners)
if not names:
    st.caption("No partner has a partnership programme in scope.")
    st.stop()
name = page_choice(st.selectbox, "Partner", names, Keys.PARTNER, "profile")
mine = fair.party(name)
cols = st.columns(4)
cols[0].metric("Partnership programmes", f"{mine.programmes:,}", border=True)
cols[0].caption(f"type: {mine.type or 'not recorded'}")
cols[1].metric("Contribution", f"{100 * mine.contribution:.0f}%" if mine.contribution is not None else "–",
               border=True, help="its mean share of staff hours, sessions and money over its partnership programmes")
cols[1].caption(f"the library: {100 * fair.party(LIBRARY).contribution:.0f}% over all partnerships"
                if fair.party(LIBRARY) and fair.party(LIBRARY).contribution is not None else "")
cols[2].metric("Recognition", f"{100 * mine.recognition:.0f}%" if mine.recognition is not None else "–",
               border=True, help="its mean share of the promotion and the credit")
cols[2].caption(f"credited in {mine.credited} of {mine.credit_recorded} programmes" if mine.credit_recorded
                else "credit not recorded")
cols[3].metric("Not shared", f"{mine.not_shared:,}", border=True, help="its programmes with a stake out of line")
cols[3].caption(f"of {mine.programmes:,} programmes")
profile = memo("partners.profile", lambda _scope, _limits, partner: partner_views.stakes_table(fair, partner=partner),
               chosen, limits, name)  # `fair` is the memoised result for the same scope and limits
table_with_download(profile, "partner_programmes.csv",
                    key="download.partners.profile")
theirs = [p for p in said.partnerships if p.partner == name]
for p in theirs:
    st.caption(p.words)
