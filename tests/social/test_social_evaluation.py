from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from grayshield.core.errors import ContractError, NotFoundError
from grayshield.lake import open_world
from grayshield.social.evaluation import evaluate_world, read_social, train_world
from grayshield.social.model import latest_model, require_model, score_accounts
from grayshield.text.engine import TextEngine


def test_held_out_hard_world_meets_the_issue_targets(social_worlds: tuple[Path, Path], tmp_path: Path) -> None:
    train, test = social_worlds
    result = evaluate_world(train, test, tmp_path / "out")
    accounts = result["accounts"]
    assert accounts["blackgray"] >= 20
    assert accounts["at_threshold"]["precision"] >= 0.95
    assert accounts["at_threshold"]["recall"] >= 0.90
    top = result["priority"]
    assert top["truly_blackgray_in_top_n"] >= min(90, int(0.9 * accounts["blackgray"]))
    assert accounts["flagged_share_by_kind"].get("bank_official", 0.0) == 0.0
    assert (tmp_path / "out" / "social_accounts_ranked.csv").is_file()


def test_published_model_scores_with_reasons_and_its_version(social_worlds: tuple[Path, Path], social_models: Path,
                                                             tmp_path: Path) -> None:
    _, test = social_worlds
    with pytest.raises(NotFoundError, match="grayshield train social"):
        require_model(tmp_path / "models")
    model = latest_model(social_models)
    social = read_social(open_world(test))
    scored = score_accounts(model, TextEngine(), social.posts, social.accounts)
    assert set(scored["model"]) == {"social/accounts/v0001"}
    assert len(scored) == social.accounts.shape[0]
    flagged = scored[scored["flagged"]]
    assert len(flagged) > 0
    first = flagged.iloc[0]["reasons"]
    assert first and {"feature", "label_zh", "value", "contribution"} <= set(first[0])
    assert np.all((scored["p_blackgray"] >= 0) & (scored["p_blackgray"] <= 1))


def test_world_without_social_truth_is_a_clear_error(tmp_path: Path) -> None:
    bare = tmp_path / "bare"
    bare.mkdir()
    with pytest.raises(ContractError):
        train_world(bare, tmp_path / "models")
