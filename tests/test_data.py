"""thesis_lib.data: the MNIST loader, its errors, and the shared preprocessing."""

import gzip
import shutil
import struct

import numpy as np
import pytest

from thesis_lib import data
from thesis_lib.data import FILES, MNISTCorruptError, MNISTNotFoundError, load_mnist

TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
LABELS = FILES["test_labels"].name


@pytest.fixture(scope="module")
def mnist(mnist_dir):
    return load_mnist(mnist_dir)


def test_shapes_and_dtypes_match_keras_loader(mnist):
    (x_train, y_train), (x_test, y_test) = mnist
    assert x_train.shape == (60000, 28, 28) and y_train.shape == (60000,)
    assert x_test.shape == (10000, 28, 28) and y_test.shape == (10000,)
    for a in (x_train, y_train, x_test, y_test):
        assert a.dtype == np.uint8
    assert x_train.max() == 255 and x_train.min() == 0


def test_label_counts_per_digit(mnist):
    (_, y_train), (_, y_test) = mnist
    assert np.bincount(y_train).tolist() == TRAIN_COUNTS
    assert np.bincount(y_test).tolist() == TEST_COUNTS


def copy_set(src, dst):
    dst.mkdir(parents=True, exist_ok=True)
    for spec in FILES.values():
        shutil.copy(src / spec.name, dst / spec.name)
    return dst


def rewrite_labels(path, magic=0x0801, count=None, labels=None):
    """Write an IDX label file with a chosen header and content."""
    raw = gzip.decompress(path.read_bytes())
    body = bytearray(raw[8:]) if labels is None else bytearray(labels)
    count = len(body) if count is None else count
    path.write_bytes(gzip.compress(struct.pack(">II", magic, count) + bytes(body)))


# --- where the files are looked for ------------------------------------------------------

def test_missing_files_offline_lists_where_it_looked(isolated_env, monkeypatch):
    def offline(spec, directory):
        raise OSError("Temporary failure in name resolution")
    monkeypatch.setattr(data, "_download", offline)
    with pytest.raises(MNISTNotFoundError) as err:
        load_mnist()
    msg = str(err.value)
    assert str(isolated_env / "repo" / "data" / "mnist") in msg
    assert str(isolated_env / "cache" / "thesis_lib" / "mnist") in msg
    assert "download" in msg and "name resolution" in msg
    assert "train-images-idx3-ubyte.gz" in msg and data.ENV_VAR in msg


def test_missing_files_with_download_disabled(isolated_env, tmp_path):
    with pytest.raises(MNISTNotFoundError, match="download=False"):
        load_mnist(tmp_path / "empty", download=False)


def test_env_var_pointing_nowhere(isolated_env, monkeypatch):
    missing = isolated_env / "no-such-folder"
    monkeypatch.setenv(data.ENV_VAR, str(missing))
    with pytest.raises(MNISTNotFoundError) as err:
        load_mnist()
    assert data.ENV_VAR in str(err.value) and str(missing) in str(err.value)
    assert "not an existing directory" in str(err.value)


def test_search_order(isolated_env, monkeypatch, mnist_dir):
    repo = copy_set(mnist_dir, isolated_env / "repo" / "data" / "mnist")
    cache = copy_set(mnist_dir, isolated_env / "cache" / "thesis_lib" / "mnist")
    assert data.locate_mnist(download=False) == repo       # repo before cache
    shutil.rmtree(repo)
    assert data.locate_mnist(download=False) == cache      # then the cache
    monkeypatch.setenv(data.ENV_VAR, str(mnist_dir))
    assert data.locate_mnist(download=False) == mnist_dir  # env var before both
    explicit = copy_set(mnist_dir, isolated_env / "explicit")
    assert data.locate_mnist(explicit, download=False) == explicit  # argument first


def test_download_goes_to_cache_and_is_verified(isolated_env, monkeypatch, mnist_dir):
    fetched = []

    def fake_download(spec, directory):  # stands in for the mirror
        directory.mkdir(parents=True, exist_ok=True)
        fetched.append(spec.name)
        return shutil.copy(mnist_dir / spec.name, directory / spec.name)
    monkeypatch.setattr(data, "_download", fake_download)
    (_, y_train), _ = load_mnist()
    assert sorted(fetched) == sorted(s.name for s in FILES.values())
    assert (isolated_env / "cache" / "thesis_lib" / "mnist" / LABELS).is_file()
    assert np.bincount(y_train).tolist() == TRAIN_COUNTS


# --- corrupt files -------------------------------------------------------------------------

@pytest.fixture
def local_copy(mnist_dir, tmp_path):
    return copy_set(mnist_dir, tmp_path / "mnist")


def test_truncated_gz(local_copy):
    path = local_copy / LABELS
    path.write_bytes(path.read_bytes()[:2000])
    with pytest.raises(MNISTCorruptError, match="truncated") as err:
        load_mnist(local_copy)
    assert LABELS in str(err.value) and "Delete it" in str(err.value)


def test_not_gzip(local_copy):
    (local_copy / LABELS).write_bytes(b"<html>404 not found</html>")
    with pytest.raises(MNISTCorruptError, match="not a valid gzip") as err:
        load_mnist(local_copy)
    assert LABELS in str(err.value)


def test_wrong_md5(local_copy):
    path = local_copy / LABELS
    labels = bytearray(gzip.decompress(path.read_bytes())[8:])
    labels[0] = (labels[0] + 1) % 10  # a valid file with one label changed
    rewrite_labels(path, labels=labels)
    with pytest.raises(MNISTCorruptError, match="MD5") as err:
        load_mnist(local_copy)
    assert FILES["test_labels"].md5 in str(err.value) and LABELS in str(err.value)


def test_wrong_magic_number(local_copy):
    rewrite_labels(local_copy / LABELS, magic=0x0803)
    with pytest.raises(MNISTCorruptError, match="magic number 0x00000803") as err:
        load_mnist(local_copy)
    assert "0x00000801" in str(err.value)


def test_wrong_dimensions(local_copy):
    path = local_copy / LABELS
    labels = gzip.decompress(path.read_bytes())[8:]
    rewrite_labels(path, count=9999, labels=labels[:9999])
    with pytest.raises(MNISTCorruptError, match=r"wrong dimensions \(9999,\)") as err:
        load_mnist(local_copy)
    assert "(10000,)" in str(err.value)


def test_header_and_data_length_disagree(tmp_path):
    path = tmp_path / "x.gz"
    path.write_bytes(gzip.compress(struct.pack(">II", 0x0801, 5) + bytes(3)))
    with pytest.raises(MNISTCorruptError, match="announces 5 bytes"):
        data.read_idx(path)


# --- preprocessing -----------------------------------------------------------------------

def test_scaling():
    x = np.array([[0, 127, 255]], dtype=np.uint8)
    a, b = data.scale_01(x), data.scale_pm1(x)
    assert a.dtype == b.dtype == np.float32
    np.testing.assert_allclose(a, [[0, 127 / 255, 1]])
    np.testing.assert_allclose(b, [[-1, 127 / 127.5 - 1, 1]])


def test_add_channel_and_one_hot():
    assert data.add_channel(np.zeros((5, 28, 28))).shape == (5, 28, 28, 1)
    oh = data.one_hot(np.array([3, 0, 9]))
    assert oh.shape == (3, 10) and oh.dtype == np.float32
    assert oh.argmax(1).tolist() == [3, 0, 9] and oh.sum() == 3
    with pytest.raises(ValueError, match="0..9"):
        data.one_hot(np.array([10]))


def test_stratified_subset_keeps_class_shares_and_is_reproducible():
    rng = np.random.default_rng(1)
    y = rng.choice(10, size=5000, p=np.linspace(1, 2, 10) / np.linspace(1, 2, 10).sum())
    x = np.arange(len(y))
    xs, ys = data.stratified_subset(x, y, 1000, seed=7)
    assert len(ys) == 1000 and np.all(np.diff(xs) > 0)
    np.testing.assert_array_equal(ys, y[xs])
    expected = np.bincount(y, minlength=10) * 1000 / len(y)
    assert np.all(np.abs(np.bincount(ys, minlength=10) - expected) < 1)
    again, _ = data.stratified_subset(x, y, 1000, seed=7)
    other, _ = data.stratified_subset(x, y, 1000, seed=8)
    np.testing.assert_array_equal(xs, again)
    assert not np.array_equal(xs, other)


@pytest.mark.parametrize("size", [0, -3, 5001, 2.5])
def test_stratified_subset_rejects_bad_sizes(size):
    y = np.arange(5000) % 10
    with pytest.raises(ValueError, match="subset size"):
        data.stratified_indices(y, size)
