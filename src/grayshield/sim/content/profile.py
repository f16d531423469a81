"""How hard a world's text is: the knobs the simulator's ``--profile`` turns."""

from __future__ import annotations

from dataclasses import dataclass

from grayshield.core.errors import ConfigError


@dataclass(frozen=True)
class ContentProfile:
    """Text difficulty of a simulated world.

    evasion_rate: probability that each domain term in a black/gray advert (and each contact
        handle) is written in an evasion spelling; the post's ``evasion`` truth is "any term disguised".
    template_variety: share of each wording slot's alternatives a world uses (drawn per world, so
        two seeds differ in wording as well as in choices); the simulator also uses it for how many
        complaint templates a gang owns.
    noise_rate: per-sentence probability of a small slip (typo, punctuation variant, filler) in any
        text; gang complaint renders get one per ~80 characters, so they stay over 90% alike.
    hard_negative_rate: share of legitimate posts, calls and complaints that are hard negatives, i.e.
        share the black/gray vocabulary (debt-stress posts, negotiated repayment with the bank,
        anti-gang news, relatives genuinely helping); the rest are everyday card chatter and general
        news. A quarter of that rate again sets the borderline cases on both sides: gang ads dressed
        as personal stories, genuine sharers offering help, the bank's own instalment promotions.
    """

    name: str
    evasion_rate: float
    template_variety: float
    noise_rate: float
    hard_negative_rate: float

    def __post_init__(self) -> None:
        for field_name in ("evasion_rate", "noise_rate", "hard_negative_rate"):
            value = getattr(self, field_name)
            if not 0.0 <= value <= 1.0:
                raise ConfigError(f"content profile {field_name} must lie in [0, 1], got {value}")
        if not 0.0 < self.template_variety <= 1.0:
            raise ConfigError(f"content profile template_variety must lie in (0, 1], got {self.template_variety}")

    @classmethod
    def for_profile(cls, name: str) -> ContentProfile:
        """The named preset: ``easy``, ``default`` or ``hard``."""
        try:
            return _PRESETS[name]
        except KeyError:
            raise ConfigError(f"unknown content profile {name!r}; choose one of: {', '.join(_PRESETS)}") from None


_PRESETS = {
    "easy": ContentProfile("easy", evasion_rate=0.15, template_variety=0.4, noise_rate=0.02, hard_negative_rate=0.2),
    "default": ContentProfile(
        "default", evasion_rate=0.4, template_variety=0.7, noise_rate=0.05, hard_negative_rate=0.5),
    "hard": ContentProfile("hard", evasion_rate=0.7, template_variety=1.0, noise_rate=0.1, hard_negative_rate=0.8),
}
