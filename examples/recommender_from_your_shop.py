"""Drive your own generator with a recommender trained on your own shop's data.

    python examples/recommender_from_your_shop.py [OUT_FOLDER [SHOP_FOLDER]]

SHOP_FOLDER holds what most shops can export (docs/data.md, "A folder"):

    items.csv          item_id,image,category      (category optional)
    interactions.csv   user_id,item_id[,timestamp]
    img/…              the item photos

OUT_FOLDER (default: a new temporary folder) receives the trained recommender and
the run. Without a SHOP_FOLDER, a small stand-in shop is written first: 60 plain-colour items and 40
users, half of whom mostly buy reddish items and half bluish ones, so there is a
taste to learn. The example then runs the two commands you would run:

    gigs train recommender --recommender dvbpr --data csv:SHOP --out OUT/dvbpr …
    gigs run --generator toy --recommender dvbpr -R checkpoint=OUT/dvbpr/best.safetensors …

Swap `toy` for your generator (`gigs plugins` lists what is installed) and raise
--epochs and the model size (-R k=100, -R variant=cnnf) for a real catalogue.
"""

import csv
import random
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image


def write_stand_in_shop(folder: Path) -> None:
    """60 plain-colour items; users 0-19 mostly buy reddish ones, users 20-39 bluish ones."""
    random.seed(0)
    (folder / "img").mkdir(parents=True)
    reddish, bluish = [], []
    with (folder / "items.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["item_id", "image", "category"])
        for index in range(60):
            red, blue = random.randrange(256), random.randrange(256)
            Image.new("RGB", (48, 48), (red, 60, blue)).save(folder / "img" / f"{index}.png")
            writer.writerow([f"sku-{index}", f"img/{index}.png", "reddish" if red > blue else "bluish"])
            (reddish if red > blue else bluish).append(f"sku-{index}")
    with (folder / "interactions.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["user_id", "item_id"])
        for user in range(40):
            liked, other = (reddish, bluish) if user < 20 else (bluish, reddish)
            for _ in range(8):
                writer.writerow([f"customer-{user}", random.choice(liked if random.random() < 0.9 else other)])


def gigs(*args: str) -> None:
    command = [sys.executable, "-m", "gigs_core", *args]
    print("$ gigs " + " ".join(args), flush=True)
    subprocess.run(command, check=True)


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else tempfile.mkdtemp(prefix="gigs-shop-"))
    shop = Path(sys.argv[2]) if len(sys.argv) > 2 else out / "stand-in-shop"
    if len(sys.argv) <= 2:
        write_stand_in_shop(shop)
    gigs("data", "info", f"csv:{shop}")
    gigs("train", "recommender", "--recommender", "dvbpr", "--data", f"csv:{shop}", "--out", str(out / "dvbpr"),
         "-R", "variant=cnnf-small", "-R", "k=8", "-R", "input_size=32", "--epochs", "3", "--steps-per-epoch", "60", "--batch-size", "32", "--lr", "0.001", "-q")
    first_item = next(csv.DictReader((shop / "items.csv").open()))["image"]
    gigs("run", "--generator", "toy", "--recommender", "dvbpr", "-R", f"checkpoint={out / 'dvbpr' / 'best.safetensors'}",
         "--item", str(shop / first_item), "--users", "0,1,2,3,4", "--steps", "20", "--n", "3", "--perceptual", "none",
         "-q", "--out", str(out / "run"))
    print(f"trained recommender: {out / 'dvbpr'}; GIGS run: {out / 'run' / 'report.html'}")


if __name__ == "__main__":
    main()
