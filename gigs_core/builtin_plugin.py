"""The core's own extensions, registered through the ``gigs`` entry point like any
plugin (and always loaded, whatever the environment switches say): Algorithm 1's
inverter, the LPIPS perceptual distances and the generic dataset formats."""

from __future__ import annotations

from gigs_core import hookimpl
from gigs_core.config import InversionConfig


def build_inverter(options: InversionConfig):
    from gigs_core.method.inversion import LatentOptimizationInverter

    return LatentOptimizationInverter(options)


@hookimpl
def register_inverters(register):
    register(
        "latent-optimization",
        InversionConfig,
        build_inverter,
        description="Algorithm 1's inversion: Adam on z, LPIPS + MSE, z projected back onto the prior each step.",
    )


def _lpips(net: str, pretrained_backbone: bool = True):
    def build(_argument):
        from gigs_core.method.perceptual import LpipsDistance

        return LpipsDistance(net, pretrained_backbone=pretrained_backbone)

    return build


def _no_distance(_argument):
    from gigs_core.method.perceptual import NoDistance

    return NoDistance()


@hookimpl
def register_perceptual_distances(register):
    for net, backbone in (("alex", "AlexNet"), ("vgg", "VGG16"), ("squeeze", "SqueezeNet")):
        register(f"lpips-{net}", _lpips(net), description=f"LPIPS with the pretrained {backbone} backbone "
                 "(its torchvision weights must be in the torch hub cache; never downloaded)")
    register("lpips-untrained", _lpips("alex", pretrained_backbone=False),
             description="LPIPS's linear layers on a random AlexNet backbone (explicitly chosen, no weights needed)")
    register("none", _no_distance, description="no perceptual term: MSE-only inversion")


def _open_fashion_mnist(location, *, on_bad_image):
    from gigs_core.data.fashion_mnist import open_fashion_mnist

    return open_fashion_mnist(location, on_bad_image=on_bad_image)


def _looks_like_fashion_mnist(path):
    return path.is_dir() and any(path.glob("train-images-idx3-ubyte*"))


def _open_csv_folder(location, *, on_bad_image):
    from gigs_core.data.csv_folder import open_csv_folder

    return open_csv_folder(location, on_bad_image=on_bad_image)


def _looks_like_csv_folder(path):
    return path.is_dir() and (path / "items.csv").is_file()


@hookimpl
def register_datasets(register):
    register("fashion-mnist", _open_fashion_mnist, description="IDX files: 'fashion-mnist' or 'fashion-mnist:DIR'",
             matches=_looks_like_fashion_mnist)
    register("csv", _open_csv_folder, description="items.csv + interactions.csv: 'csv:DIR' or DIR",
             matches=_looks_like_csv_folder)
