"""``report.html``: one self-contained page per run, written for a seller.

Images are inlined as base64 PNGs, so the file can be mailed or opened
anywhere. The page shows, per item: the item photo, its reconstruction, the
variants in a grid with their group preference and change, the evaluation
extras when the run carries them (ground-truth utility, catalogue ranks,
distance to the item), a few plain sentences on what changed and how far the
numbers can be trusted (:func:`item_sentences`), and the run's settings.
"""

from __future__ import annotations

import base64
import html
import io
import json
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from gigs_core.report.gains import OPTIMISED, judge_disagrees
from gigs_core.report.portable import portable

if TYPE_CHECKING:
    from gigs_core.report.result import GigsRun, ItemResult

#: Stated in both reports; also ``report.json``'s ``reproducibility``.
REPRODUCIBILITY = ("the same seeds, settings, package versions, device and CPU thread count give bit-identical "
                   "files; another thread count or device changes floating-point sums and can change every number")

#: Column names of evaluation rows, and how the page labels them.
COLUMN_LABELS = {
    "group_preference": "group preference",
    "ground_truth_utility": "ground-truth utility",
    "rank_by_preference": "catalogue rank (preference)",
    "rank_by_ground_truth": "catalogue rank (ground truth)",
    "distance_to_item": "distance to item",
}

_STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:2em;max-width:70em;color:#222}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #ccc}
.pair,.grid{display:flex;flex-wrap:wrap;gap:1em}
figure{margin:0;text-align:center;font-size:.85em}
figure img{width:112px;height:112px;image-rendering:pixelated;border:1px solid #ddd;background:#fff}
.up{color:#080}.down{color:#b00}
table{border-collapse:collapse;font-size:.9em}td,th{border:1px solid #ddd;padding:.25em .6em;text-align:right}
th{background:#f4f4f4}td:first-child,th:first-child{text-align:left}
.summary li{margin:.3em 0}pre{background:#f7f7f7;padding:1em;overflow:auto;font-size:.8em}
"""


def png_data_uri(image) -> str:
    """A ``C×H×W`` ``[0, 1]`` tensor as a ``data:image/png;base64,…`` URI."""
    from gigs_core.imaging import tensor_to_pil

    buffer = io.BytesIO()
    tensor_to_pil(image).save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _fmt(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return "–" if math.isnan(value) else f"{value:.4f}"
    return str(value)


def _signed(value: float) -> str:
    css = "up" if value > 0 else "down" if value < 0 else ""
    return f'<span class="{css}">{value:+.4f}</span>'


def _figure(image, caption_html: str, alt: str) -> str:
    return (f'<figure><img src="{png_data_uri(image)}" alt="{_esc(alt)}">'
            f"<figcaption>{caption_html}</figcaption></figure>")


def _std(values: Sequence[float]) -> float:
    if len(values) < 2:
        return 0.0
    mean = sum(values) / len(values)
    return math.sqrt(sum((v - mean) ** 2 for v in values) / (len(values) - 1))


def _rank_phrase(before: int | None, after: int | None, size: int | None) -> str:
    if before is None or after is None or not size:
        return ""
    return f" Among the {size:,} catalogue items its rank goes from {before:,} to {after:,} (1 = most preferred)."


#: A change smaller than this many catalogue standard deviations is called noise; one of at
#: least ``CLEAR`` standard deviations is called clear.
NOISE, CLEAR = 0.1, 0.5


def preference_verdict(gain: float, spread: float | None, standard_error: float) -> tuple[str, bool]:
    """``(wording, is_a_gain)`` for a preference change: against the spread of the group's scores
    over the catalogue when known, else against the standard error of the variants' mean. Only a
    rise beyond the noise counts as a gain; a fall is called a fall."""
    if spread:
        ratio = gain / spread
        scale = f"{ratio:+.2f} standard deviations of this group's scores over the catalogue (σ = {spread:.4f})"
        if abs(ratio) < NOISE:
            return (f"That change is {scale}: within the noise, small next to how much the group's scores differ "
                    f"between catalogue items.", False)
        if ratio < 0:
            return f"That change is {scale}: a fall — the variants are liked less, not more.", False
        return f"That change is {scale}: {'a clear gain' if ratio >= CLEAR else 'a modest gain'}.", True
    if gain == 0 or abs(gain) < 2 * standard_error:
        return (f"The change is within the noise: less than twice the standard error of the variants' mean "
                f"({standard_error:.4f}).", False)
    if gain < 0:
        return (f"The change is a fall larger than the noise (standard error of the variants' mean "
                f"{standard_error:.4f}): the variants are liked less, not more.", False)
    return (f"The gain is larger than the noise (standard error of the variants' mean {standard_error:.4f}).", True)


def truth_sentence(truth_gain: float, truth_spread: float | None, preference_gained: bool) -> str:
    """What the users' known true utility did, called "real" only when the recommender's gain
    is a gain and the true utility rose beyond the noise too."""
    known = "the users' true utility (known here because the users are synthetic)"
    scale = f" ({truth_gain / truth_spread:+.2f} σ of the catalogue)" if truth_spread else ""
    rose = truth_gain > 0 and (not truth_spread or truth_gain / truth_spread >= NOISE)
    if preference_gained and rose:
        return f"{known.capitalize()} rose too, by {truth_gain:+.4f} on average{scale}: the recommender's gain is real for them."
    if preference_gained:
        return (f"Caution: {known} did not rise beyond the noise ({truth_gain:+.4f} on average{scale}); the "
                f"recommender was pleased, the users would not be.")
    return f"{known.capitalize()} changed by {truth_gain:+.4f} on average{scale}."


def domain_sentence(check: dict[str, Any]) -> str:
    """Whether the generator can represent the photo (``check`` as in ``evaluation["domain_check"]``):
    its reconstruction's distance and its distance to the nearest catalogue item, each against a
    threshold calibrated on the catalogue's own items."""
    figures = check["calibration"]
    reconstruction, nearest = check["distances"]["reconstruction"], check["distances"]["nearest_item"]
    limits = (f"thresholds {figures['reconstruction']['threshold']:.4f} and {figures['nearest_item']['threshold']:.4f}, "
              f"calibrated on {figures['items']} catalogue items by {figures['distance']}")
    measured = f"Its reconstruction lies {reconstruction:.4f} from it and its nearest catalogue item {nearest:.4f} ({limits})."
    if check["in_domain"]:
        return f"The photo is within what the generator can represent. {measured}"
    why = {"reconstruction": f"its reconstruction is farther from it than {figures['quantile']:.0%} of the "
                             f"catalogue's items' are from theirs",
           "nearest_item": "it is farther from every catalogue item than any catalogue item is from its nearest"}
    return (f"Out of domain: {' and '.join(why[reason] for reason in check['reasons'])}. {measured} "
            f"The generator cannot represent this photo: the variants are variants of what it drew instead, "
            f"and the changes below are not about this photo.")


def fidelity_sentence(psnr_db: float, inversion_loss: float | None) -> str:
    """How closely the reconstruction matches the item photo, in words a seller reads."""
    verdict = ("hard to tell apart from it" if psnr_db >= 30 else "close to it, with visible differences"
               if psnr_db >= 20 else "visibly different from it")
    loss = "" if inversion_loss is None else f", inversion loss {inversion_loss:.4f}"
    return (f"The reconstruction, which the variants start from, is {verdict}: PSNR {psnr_db:.1f} dB against the "
            f"item{loss} (above 30 dB two images are hard to tell apart; below 20 dB they differ visibly).")


def item_sentences(item: ItemResult, evaluation: dict[str, Any] | None = None,
                   shift_steps: int | None = None, gain_units: dict[str, float] | None = None) -> list[str]:
    """Plain sentences for a seller: what changed, and how confident the numbers are
    (:func:`preference_verdict`, :func:`truth_sentence`). With ``shift_steps == 0`` they say
    that the variants were never optimised; for a photo out of the generator's domain
    (:func:`domain_sentence`) they say so first and give no verdict."""
    evaluation = evaluation or {}
    rows = evaluation.get("items", {}).get(item.name, [])
    stats = evaluation.get("catalogue_stats", {})
    size = evaluation.get("catalogue", {}).get("size")
    prefs = item.variant_preferences
    n = len(prefs)
    mean = sum(prefs) / n
    baseline = item.baseline_preference
    gain = mean - baseline
    what = "the item photo" if item.item_preference is not None else "the base image"
    best = max(range(n), key=lambda k: prefs[k])
    sentences = []
    check = evaluation.get("domain_check", {}).get(item.name)
    out_of_domain = check is not None and not check["in_domain"]
    if check is not None:
        sentences.append(domain_sentence(check))
    if item.reconstruction_psnr is not None:
        sentences.append(fidelity_sentence(item.reconstruction_psnr, item.inversion_loss))
    if shift_steps == 0:
        sentences.append("No shifting steps were run: the variants are the random starting shifts, not optimised "
                         "for this group.")
    sentences.append(
        f"The {n} variants have a mean group preference of {mean:.4f}, against {baseline:.4f} for {what}: "
        f"a change of {gain:+.4f} (best variant v{best}: {prefs[best] - baseline:+.4f}; "
        f"{sum(p > baseline for p in prefs)} of {n} variants score higher than {what})."
    )
    error = _std(prefs) / math.sqrt(n) if n > 1 else 0.0
    verdict, gained = preference_verdict(gain, stats.get("group_preference", {}).get("std"), error)
    if out_of_domain:
        verdict, gained = "No verdict on that change: the photo is outside what the generator can represent.", False
    sentences.append(verdict)
    by_label = {row.get("image"): row for row in rows}
    base_row = by_label.get("item") or by_label.get("reconstruction")
    variant_rows = [row for row in rows if str(row.get("image", "")).startswith("variant")]
    if base_row and variant_rows:
        ranks = [row.get("rank_by_preference") for row in variant_rows if row.get("rank_by_preference")]
        if ranks and base_row.get("rank_by_preference") and not out_of_domain:
            sentences[-1] += _rank_phrase(base_row["rank_by_preference"], min(ranks), size).replace(
                "its rank goes", "the best variant's rank goes")
        truth = [row.get("ground_truth_utility") for row in variant_rows]
        if base_row.get("ground_truth_utility") is not None and all(t is not None for t in truth):
            truth_gain = sum(truth) / len(truth) - base_row["ground_truth_utility"]
            sentences.append(truth_sentence(truth_gain, stats.get("ground_truth_utility", {}).get("std"), gained))
        distances = [row.get("distance_to_item") for row in variant_rows if row.get("distance_to_item") is not None]
        if distances:
            sentences.append(f"The variants lie at a mean perceptual distance of {sum(distances) / len(distances):.4f} "
                             f"from the item ({evaluation.get('distance', 'perceptual distance')}); larger means a "
                             f"more visible change.")
    sentences += [judge_sentence(name, scores.mean_gain, gain, gain_units or {})
                  for name, scores in sorted(item.judged.items())]
    sentences.append("All scores are the recommender's predictions for this group of users, not observed sales.")
    return sentences


def judge_sentence(name: str, judged_gain: float, optimised_gain: float, units: dict[str, float] | None = None) -> str:
    """What a judge (a recommender the variants were not optimised against) says of the change; with
    ``units`` (each scorer's standard deviation over a catalogue, keyed ``OPTIMISED`` and by judge),
    both gains in those units too."""
    sentence = (f"A second recommender, {name}, which the variants were not optimised against, sees a mean change "
                f"of {judged_gain:+.4f} for the same users (the optimised recommender: {optimised_gain:+.4f}).")
    units = units or {}
    if units.get(name) and units.get(OPTIMISED):
        sentence += (f" In each one's standard deviations over the catalogue: {judged_gain / units[name]:+.2f} σ "
                     f"against {optimised_gain / units[OPTIMISED]:+.2f} σ.")
    if judge_disagrees(judged_gain, optimised_gain):
        sentence += (" It disagrees on the direction, so the gain may be an artefact of optimising against one "
                     "model rather than a change these users would like.")
    return sentence


def _evaluation_table(rows: list[dict[str, Any]], columns: Sequence[str]) -> str:
    head = "".join(f"<th>{_esc(COLUMN_LABELS.get(c, c))}</th>" for c in columns)
    body = "".join(
        "<tr><td>" + _esc(row.get("image", "")) + "</td>" + "".join(f"<td>{_esc(_fmt(row.get(c)))}</td>" for c in columns)
        + "</tr>" for row in rows
    )
    return f'<table class="evaluation"><tr><th>image</th>{head}</tr>{body}</table>'


def _item_section(item: ItemResult, evaluation: dict[str, Any], shift_steps: int,
                  gain_units: dict[str, float]) -> str:
    rows = evaluation.get("items", {}).get(item.name, [])
    columns = evaluation.get("columns", [c for c in COLUMN_LABELS if rows and c in rows[0]])
    by_label = {row.get("image"): row for row in rows}
    baseline = item.baseline_preference
    parts = [f'<section class="item" id="item-{_esc(item.name)}"><h2>{_esc(item.name)}</h2>']
    parts.append('<ul class="summary">' + "".join(f"<li>{_esc(s)}</li>" for s in item_sentences(item, evaluation, shift_steps, gain_units))
                 + "</ul>")
    pair = []
    if item.item is not None:
        pair.append(_figure(item.item, f"item<br>preference {item.item_preference:.4f}", "item"))
    fidelity = "" if item.reconstruction_psnr is None else f"<br>PSNR {item.reconstruction_psnr:.1f} dB"
    pair.append(_figure(item.reconstruction, f"reconstruction<br>preference {item.reconstruction_preference:.4f}"
                        f"{fidelity}", "reconstruction"))
    parts.append('<div class="pair">' + "".join(pair) + "</div><h3>Variants</h3><div class=\"grid\">")
    base_rank = (by_label.get("item") or by_label.get("reconstruction") or {}).get("rank_by_preference")
    for index, (variant, score) in enumerate(zip(item.variants, item.variant_preferences)):
        caption = f"v{index}<br>preference {score:.4f}<br>change {_signed(score - baseline)}"
        row = by_label.get(f"variant {index}", {})
        if row.get("rank_by_preference") is not None and base_rank is not None:
            caption += f"<br>rank {base_rank:,} → {row['rank_by_preference']:,}"
        if row.get("ground_truth_utility") is not None:
            caption += f"<br>true utility {row['ground_truth_utility']:.4f}"
        parts.append(_figure(variant, caption, f"variant {index}"))
    parts.append("</div>")
    if rows:
        parts.append("<h3>Scores</h3>" + _evaluation_table(rows, columns))
    parts.append("</section>")
    return "".join(parts)


def render_report_html(run: GigsRun) -> str:
    """The whole page for ``run`` as a string."""
    evaluation = run.evaluation or {}
    group = evaluation.get("group") or f"{len(run.users)} user(s)"
    title = f"gigs report: {len(run.items)} item(s) for {group}"
    intro = [
        f"gigs looked for variants of each item that this group of users ({_esc(group)}) is predicted to prefer, "
        f"by moving the item's latent code in a generator and scoring the images with the recommender.",
        f"Perceptual distance: {_esc(portable(run.perceptual))}. Device: {_esc(run.device)}, "
        f"{run.threads} CPU thread(s). Total time: {run.timings.get('total_s', float('nan')):.1f} s.",
        f"Reproducibility: {_esc(REPRODUCIBILITY)}.",
    ]
    catalogue = evaluation.get("catalogue")
    if catalogue:
        intro.append(f"Ranks are among the {catalogue.get('size', 0):,} items of {_esc(catalogue.get('name', 'the catalogue'))}.")
    notes = "".join(f"<li>{_esc(note)}</li>" for note in getattr(run, "notes", []) or [])
    settings = portable({
        "mode": run.mode, "users": len(run.users), "perceptual_distance": run.perceptual, "device": run.device,
        "threads": run.threads, "backends": run.backends, "config": run.config.model_dump(), "timings": run.timings, "versions": run.versions,
    })
    body = [
        f"<h1>{_esc(title)}</h1>",
        "".join(f"<p>{p}</p>" for p in intro),
        f'<ul class="notes">{notes}</ul>' if notes else "",
        *(_item_section(item, evaluation, run.config.shift.steps, run.gain_units) for item in run.items),
        '<h2>Settings</h2><pre class="settings">' + _esc(json.dumps(settings, indent=2, default=str)) + "</pre>",
    ]
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{_esc(title)}</title>'
            f"<style>{_STYLE}</style></head><body>{''.join(body)}</body></html>\n")
