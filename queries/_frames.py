"""Small helpers shared by the coverage and calendar queries (agreement status, wording)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graphmodel.graph import CampaignGraph

COVERED = "covered"
NOT_COVERED = "not_covered"
UNKNOWN = "unknown"

#: agreement_type -> how reasons name it
AGREEMENT_WORDS = {
    "cba": "collective agreement",
    "gfa": "global framework agreement",
    "hs": "health & safety agreement",
    "efa": "European framework agreement",
    "other": "agreement",
}


@dataclass(frozen=True)
class AgreementStatus:
    """Where an agreement stands at ``as_of``.

    ``state`` is ``in_force``, ``possibly_in_force`` (past its computed end with tacit or
    unknown renewal), ``expired``, or ``not_yet`` (signed after ``as_of``); ``text`` says so
    in plain words.
    """

    state: str
    text: str


def agreement_status(graph: CampaignGraph, agreement: str, as_of: str) -> AgreementStatus:
    """The status of ``agreement`` at ``as_of`` (docs/semantics.md#known-versus-unknown).

    In force when ``signed`` is on or before ``as_of`` and ``expires`` is empty or on or after
    it. After ``expires`` with ``renewal`` ``tacit`` or ``unknown`` it is *possibly* in force.
    A missing ``signed`` date is not held against the agreement (the text says so).

    Examples
    --------
    >>> from graphmodel.graph import CampaignGraph
    >>> g = CampaignGraph()
    >>> _ = g.add_node("a", "Agreement", "Site A CBA", agreement_type="cba", signed="2020-01-01",
    ...                expires="2022-12-31", renewal="tacit")
    >>> agreement_status(g, "a", "2021-06-01").state, agreement_status(g, "a", "2023-06-01").state
    ('in_force', 'possibly_in_force')
    """
    return agreement_status_of(graph.node(agreement), agreement, as_of)


def agreement_status_of(a: Mapping[str, Any], agreement: str, as_of: str) -> AgreementStatus:
    """:func:`agreement_status` from the agreement's attributes ``a`` (``name``, ``signed``,
    ``expires``, ``renewal``) when the caller already holds them.

    >>> agreement_status_of({"name": "Site A CBA", "signed": "2030-01-01"}, "a", "2024-01-01").state
    'not_yet'
    """
    return status_of_values(a.get("name", agreement), a.get("signed"), a.get("expires"), a.get("renewal"), as_of)


def status_of_values(name: str, signed: str | None, expires: str | None, renewal: str | None, as_of: str) -> AgreementStatus:
    """:func:`agreement_status` from the four values it reads (for callers reading columns).

    >>> status_of_values("Site A CBA", "2020-01-01", "2022-12-31", "none", "2023-06-01").text
    'Site A CBA expired on 2022-12-31'
    """
    if signed and signed > as_of:
        return AgreementStatus("not_yet", f"{name} is signed only on {signed}")
    if not expires or expires >= as_of:
        until = f" until {expires}" if expires else " (no end date)"
        since = f"signed {signed}" if signed else "signing date not recorded"
        return AgreementStatus("in_force", f"{name} is in force ({since}{until})")
    if renewal in ("tacit", "unknown"):
        how = "renews tacitly" if renewal == "tacit" else "renewal unknown"
        return AgreementStatus(
            "possibly_in_force",
            f"{name} ended its last known period on {expires} ({how}): possibly in force, needs checking",
        )
    return AgreementStatus("expired", f"{name} expired on {expires}")


def source_text(graph: CampaignGraph, attrs: Mapping[str, Any], date: str | None = None) -> str:
    """``"source Fictional register, 2023-05-01"`` for a node's first source and a date."""
    parts = []
    sources = attrs.get("sources") or []
    if sources:
        sid = sources[0]
        src = graph.sources.get(sid)
        parts.append(f"source {src.title if src is not None and src.title else sid}")
    else:
        parts.append("no source named")
    if date:
        parts.append(date)
    return ", ".join(parts)
