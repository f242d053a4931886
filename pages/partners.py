"""Partners: is each partnership fair to both sides? Stakes, balance, the network, and each partner's profile."""
from dataclasses import replace

import streamlit as st

from impact import charts, equity, indicators, views
from impact.views import Col
from ui.auth import require_page
from ui.common import (
    Keys,
    empty_state,
    filters,
    nothing_loaded,
    prepared,
    settings,
    table_with_download,
)

require_page("explore")  # refused before any figure when nobody is signed in
st.title("Partners")
st.caption("What each partner puts in and what the programmes it is part of achieve: is each partnership fair "
           "to both sides? Colours show the partnership type everywhere.")

data = prepared()
if nothing_loaded(data) and not len(data.partners):
    empty_state("No partners, attendance or survey responses are loaded yet: upload a spreadsheet with a "
                "partners and a programme partners sheet.")
chosen = filters()
s = settings()
min_n, rate = s["min_n"], s["hourly_rate"]
found = equity.partnerships(data, chosen, rate)
fair, net = found.equity, found.network
if not fair.partners:
    empty_state("No programme partners for these filters: upload a programme partners sheet (who contributes staff "
                "time, cash, in-kind value or the venue), or widen the filters.")

table = views.partner_table(fair)
cols = st.columns(4)
cols[0].metric("Partners in scope", f"{len(fair.partners):,}", border=True)
cols[0].caption(f"n = {fair.programmes_in_scope:,} programmes in scope")
cols[1].metric("Partnership programmes", f"{fair.partnership_programmes:,}", border=True,
               help="a partner contributes staff time, money, in-kind value or the venue (the US Public Libraries "
                    "Survey rule for co-sponsored programmes)")
cols[1].caption(f"of {fair.programmes_in_scope:,} programmes")
cols[2].metric("Imbalance", f"{fair.imbalance:.2f}" if fair.imbalance is not None else "–", border=True,
               help="½ Σ |result share − input share| over partners: 0 = every partner gets what it gives")
cols[2].caption("0 = fair; 1 = the most lopsided")
below = int((table[Col.BALANCE] < 1).sum())
cols[3].metric("Give more than they get", f"{below:,}", border=True, help="partners with a balance below 1")
cols[3].caption(f"of {int(table[Col.BALANCE].notna().sum()):,} partners with inputs")

basis = "estimated positive outcomes" if fair.basis == "outcomes" else "attendance"
st.plotly_chart(charts.share_scatter(table), width="stretch", key="partners.scatter")
st.plotly_chart(charts.balance_bars(table), width="stretch", key="partners.balance")
st.caption(f"Input: cash + in-kind + staff hours × £{rate:,.2f} an hour. Results: {basis} of the programmes each "
           f"partner is part of, split by its share of each programme's inputs. n = {len(table):,} partners, "
           "programmes per partner in the hover and the table.")
st.markdown("**The stakes**")
table_with_download(table, "partner_stakes.csv", key="download.partners.stakes", height=320)
st.caption(fair.note)

st.subheader("By partnership type")
types = views.type_table(fair, net)
table_with_download(types, "partnership_types.csv", key="download.partners.types")

st.subheader("The partnership network")
st.plotly_chart(charts.network(equity.graph(data, chosen)), width="stretch", key="partners.network")
people, links = views.network_tables(net)
st.caption(f"{len(net.partners):,} partners and {net.programmes:,} programmes with partners (grey squares). "
           f"{len(net.clusters):,} groups of partners work together; {len(net.library_only):,} work with the library "
           "alone" + (f" ({', '.join(net.library_only[:6])}{'…' if len(net.library_only) > 6 else ''})"
                      if net.library_only else "") + ".")
with st.expander("The tables behind the network"):
    table_with_download(people, "network_partners.csv", key="download.partners.network")
    table_with_download(links, "co_partner_links.csv", key="download.partners.links")

st.subheader("Partner profile")
names = sorted(p.partner for p in fair.partners)
if st.session_state.get(Keys.PARTNER) not in names:
    st.session_state.pop(Keys.PARTNER, None)
name = st.selectbox("Partner", names, key=Keys.PARTNER)
one = replace(chosen, partners=(name,))
ind = indicators.compute(data, one, min_n, rate)
balance = fair.partner(name)
cols = st.columns(4)
cols[0].metric("Programmes", f"{balance.programmes:,}", border=True)
cols[0].caption(f"type: {balance.type or 'not recorded'}")
cols[1].metric("Attendance", f"{ind.reach.attendance:,}", border=True)
cols[1].caption(f"{ind.reach.sessions:,} sessions in its programmes")
p = views.pooled(ind, min_n)
cols[2].metric("Positive outcomes", f"{100 * p.rate:.0f}%" if p.reliable else (views.too_few(min_n) if p.n else
                                                                              "no answers"), border=True)
cols[2].caption(f"n = {p.n:,} answers")
cols[3].metric("Balance", f"{balance.balance:.2f}" if balance.balance is not None and balance.balance == balance.balance
               else "–", border=True, help="result share / input share: 1 = gets what it gives")
cols[3].caption(f"input £{balance.input:,.0f}")
mine = views.stakes_table(fair, partner=name)
table_with_download(mine, "partner_programmes.csv", key="download.partners.profile")
outcomes = views.outcome_table(ind, min_n)
if outcomes.empty:
    st.caption("No survey responses for this partner's programmes in scope.")
else:
    st.plotly_chart(charts.outcome_bars(outcomes), width="stretch", key="partners.profile.outcomes")
    with st.expander("The table behind this chart"):
        table_with_download(outcomes, "partner_outcomes.csv", key="download.partners.outcomes")
