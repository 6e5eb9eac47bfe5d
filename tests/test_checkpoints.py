import pytest
import torch
from torch import nn

from gigs_core.checkpoints import (
    load_state_dict_file,
    load_torch_file,
    read_checkpoint,
    save_checkpoint,
)
from gigs_core.errors import CheckpointError


def test_own_format_round_trip(tmp_path):
    module = nn.Linear(3, 2)
    path = save_checkpoint(module, {"in": 3, "out": 2}, tmp_path / "model")
    assert path.suffix == ".safetensors" and path.with_suffix(".json").exists()
    config, state = read_checkpoint(path)
    assert config == {"in": 3, "out": 2}
    fresh = nn.Linear(3, 2)
    fresh.load_state_dict(state)
    assert torch.equal(fresh.weight, module.weight)


def test_dataparallel_prefix_and_mismatch_listing(tmp_path):
    module = nn.Sequential(nn.Linear(2, 2))
    torch.save({f"module.{k}": v for k, v in module.state_dict().items()}, tmp_path / "dp.pt")
    fresh = nn.Sequential(nn.Linear(2, 2))
    load_state_dict_file(fresh, tmp_path / "dp.pt")
    assert torch.equal(fresh[0].weight, module[0].weight)

    other = nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 1))
    with pytest.raises(CheckpointError, match=r"missing keys \[1.bias, 1.weight\]; unexpected keys \[\]"):
        load_state_dict_file(other, tmp_path / "dp.pt")
    wrong_shape = nn.Sequential(nn.Linear(2, 3))
    with pytest.raises(CheckpointError, match="size mismatch"):
        load_state_dict_file(wrong_shape, tmp_path / "dp.pt")


class Payload:
    def __reduce__(self):
        return (print, ("this must never run",))


def test_never_executes_code_from_a_file(tmp_path, capsys):
    torch.save({"x": Payload()}, tmp_path / "evil.pt")
    with pytest.raises(CheckpointError, match="not a checkpoint gigs can read safely"):
        load_torch_file(tmp_path / "evil.pt")
    assert "must never run" not in capsys.readouterr().out
    (tmp_path / "junk.pt").write_bytes(b"\x00junk")
    with pytest.raises(CheckpointError):
        load_torch_file(tmp_path / "junk.pt")


def test_checkpoint_files_get_ordinary_permissions(tmp_path):
    import os

    path = save_checkpoint(nn.Linear(1, 1), {}, tmp_path / "m")
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask
    assert path.with_suffix(".json").stat().st_mode & 0o777 == 0o666 & ~umask


def test_text_file_is_a_clean_checkpoint_error(tmp_path):
    (tmp_path / "notes.pt").write_text("just some notes\n")
    with pytest.raises(CheckpointError, match="not a checkpoint gigs can read safely"):
        load_torch_file(tmp_path / "notes.pt")
