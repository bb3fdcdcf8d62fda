"""The colour-blind-safe palette (Okabe and Ito 2008) as two Textual themes and CSS variables.

Colours live here and in ``app.tcss`` only. Every colour cue on screen is doubled by a symbol or a
letter (H/L/M for groups, ▲ ▼ = for better/worse), so that 16 colours, NO_COLOR and colour-blind
readers lose nothing.
"""

from __future__ import annotations

from textual.theme import Theme

OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky-blue": "#56B4E9",
    "bluish-green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish-purple": "#CC79A7",
    "grey": "#999999",
}

#: Variables the stylesheet and the charts use; any theme may override them.
DEFAULTS = {
    "group-high": OKABE_ITO["blue"],
    "group-low": OKABE_ITO["vermillion"],
    "group-middle": OKABE_ITO["grey"],
    "better": OKABE_ITO["bluish-green"],
    "worse": OKABE_ITO["reddish-purple"],
}

DARK = Theme(
    name="crosscase-dark",
    dark=True,
    primary=OKABE_ITO["sky-blue"],
    secondary=OKABE_ITO["orange"],
    accent=OKABE_ITO["yellow"],
    warning=OKABE_ITO["orange"],
    error=OKABE_ITO["vermillion"],
    success=OKABE_ITO["bluish-green"],
    background="#101418",
    surface="#1A1F24",
    panel="#242B33",
    variables={**DEFAULTS, "group-high": OKABE_ITO["sky-blue"]},
)

LIGHT = Theme(
    name="crosscase-light",
    dark=False,
    primary=OKABE_ITO["blue"],
    secondary=OKABE_ITO["orange"],
    accent=OKABE_ITO["reddish-purple"],
    warning=OKABE_ITO["orange"],
    error=OKABE_ITO["vermillion"],
    success=OKABE_ITO["bluish-green"],
    background="#FAFAFA",
    surface="#F0F0F0",
    panel="#E2E6EA",
    variables=dict(DEFAULTS),
)

THEMES = (DARK, LIGHT)

GROUP_MARK = {"high": "H", "low": "L", "middle": "M", "missing": "-"}


def colours(variables: dict[str, str]) -> dict[str, str]:
    """The palette's styles from an app's ``theme_variables`` (falling back to the defaults)."""
    return {key: variables.get(key, value) for key, value in DEFAULTS.items()}
