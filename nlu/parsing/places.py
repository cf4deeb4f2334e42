"""Postcodes and communes found in French messages.

The official list is var/data/communes.json (built by `make data`), or the file named by the
environment variable COMMUNES_FILE; the teams' communes are read from the `communes:` lists of
knowledge/territories/*.yml (or TERRITORIES_DIR). Both are loaded once, lazily, on the first call.

Names
  Matching ignores case, accents, hyphens, apostrophes and spaces (« vaulxen velin », « saintmax »);
  « st », « ste », « mt », « s/ », « ss » stand for « saint », « sainte », « mont », « sur », « sous ».
  A compound name is also found by its head, the part before « -lès- », « -sur- », « -en- »...
  (« vandoeuvre » for Vandœuvre-lès-Nancy, « cirey » for Cirey-sur-Vezouze), and « Boulogne » for
  Boulogne-Billancourt, unless that head is a French word.
  Typos: none on names under 5 letters, one edit (letter added, missing, changed or two letters
  swapped) from 5 to 7 letters, two from 8 letters; each misspelt word has 4 letters or more, at
  most one edit under 8 letters, and is neither a French word (nlu/parsing/data/typo_blocklist.txt)
  nor a word of another commune name.
  A typo is accepted only where a town is expected (strong cue, whole message, postcode or
  département beside it).

Cues: ordinary words are not towns
  A name in free text needs one of: a cue before it (« à », « sur », « dans »... weak; « j'habite »,
  « je vis à », « on vit sur », « ma ville c'est »... strong), a postcode or département beside it
  (« Saint-Denis 93 », « Blamont (25) », « Blamont dans le Doubs »), to be the whole message once
  fillers are removed, or a capital letter or the start of the message (a town of 2,000 people or
  more whose name is no French word: « nancy, 2 enfants »).
  The generated lists of nlu/parsing/data/ (make wordlists) protect names that are French words:
  - common_communes.txt, everyday words (« Rue », « Grand », « Y », « Eu »): a capital letter AND a
    cue, or a postcode or département beside it;
  - ambiguous_communes.txt, other French words (« Baccarat », « Bar-le-Duc »): a strong cue, the whole
    message, or a capital letter and a cue.
  A commune of 10,000 people or more, or of a territory, is one step less protected (common →
  ambiguous → free): « j'habite à tours », « je suis à baccarat ».
  « je sais pas » (is_dont_know) is never a town, nor a word whose accents no such town has
  (« marié » is not Marie).

Homonyms: one decision rule, applied in this order to the communes a name designates (all those with
this name, plus those whose head it is):
  1. a postcode of the message (or its département) that one of them has;
  2. a département named in the message (« dans la Meuse », « (55) », « Saint-Denis 93 »);
  3. accents typed: « Blâmont » with its accent is not Blamont;
  4. the communes of the territories, when one of them is left;
  5. a single one left, or the most populous has 200 times the population of all the others together
     (Nancy vs Nancy-sur-Cluses; Essey-lès-Nancy vs Essey and Essey-et-Maizerais), or the most
     populous of this full name has 200 times the others of this name and more people than each
     commune of this head (Montreuil 93 vs two villages, Montreuil-Juigné, Montreuil-sur-Mer...):
     settled;
  6. otherwise the most populous is given with `candidates`: all those left (code, name, département;
     the territories' first, then the most populous), so that the conversation asks back with the
     département (« Saint-Denis »: 93 and 974, two villages; « Blamont » outside the territories;
     « villers »: the two Villers and the hundred Villers-something).
  A typo as near to several names (« mazeville »: Malzéville, Maxéville) designates all their
  communes. A postcode alone designates the communes it serves: an arrondissement, or rules 5 and 6.

Paris, Lyon, Marseille
  « paris 15e », « lyon 7 », « lyon 7eme », « marseille 13 », « 7e arrondissement de lyon », « 69007 »
  give the arrondissement. The city alone (« lyon », « j'habite à Paris ») gives the commune with
  `arrondissements` (codes and names) so that the conversation asks which one.

Public API: commune_mentions (for extract_entities), commune_matches, find_commune, find_postcode,
postcode_mentions, commune_for_postcode, commune_by_code, departement_name.
"""
from __future__ import annotations

import json
import os
import re
import threading
from bisect import bisect_left
from dataclasses import dataclass, field
from pathlib import Path

from nlu.parsing.categories import is_dont_know
from knowledge import load
from nlu.parsing.mention import Mention
from nlu.parsing.text import _CHAR_MAP, _REPEATED_LETTERS, NormText, normalise_with_offsets, strip_accents

_REPO = Path(__file__).resolve().parents[2]
_DEFAULT_FILE = _REPO / "var" / "data" / "communes.json"
_DEFAULT_TERRITORIES = _REPO / "knowledge" / "territories"
DATA_DIR = Path(__file__).resolve().parent / "data"
COMMON_FILE = "common_communes.txt"
AMBIGUOUS_FILE = "ambiguous_communes.txt"
TYPO_BLOCKLIST_FILE = "typo_blocklist.txt"

# Official list of départements (COG, as in @etalab/decoupage-administratif 6.0.0).
DEPARTEMENTS: dict[str, str] = {str(code): name for code, name in load("departements").items()}
# other names people give a département
_DEPARTEMENT_ALIASES = {"corse": ("2A", "2B"), "reunion": ("974",), "belfort": ("90",),
                        "territoire de belfort": ("90",), "guyane francaise": ("973",)}

_DEPARTEMENT_PREFIXES = {f"{n:02d}" for n in range(1, 96) if n != 20} | {"20"}
_OVERSEAS_PREFIXES = {"971", "972", "973", "974", "975", "976", "977", "978", "986", "987", "988"}
_POSTCODE = re.compile(r"(?<![\d.,])(\d{5})(?![\d])|(?<![\d.,])(\d{2}) (\d{3})(?![\d])")
_POSTCODE_CUE = re.compile(r"(?:code postal|cp|c\.p\.|postal|code)\s*:?\s*$")
_NOT_A_PLACE_NUMBER = re.compile(
    r"\s*(?:€|e\b|eur\b|euros?\b|balles?\b|k\b|ans?\b|enfants?\b|gosses?\b|petits?\b|mois\b|semaines?\b|"
    r"jours?\b|fois\b|h\b|heures?\b|personnes?\b|pers\b|%|par mois|par an|/mois|/an|net\b|brut\b)")

# words that announce a place, just before the name
_CUES = (
    r"a|au|aux|en|sur|dans|de|d'|du|des|vers|pres de|pres d'|cote de|cote d'|autour de|"
    r"a cote de|pas loin de|proche de|region de|secteur de|banlieue de|quartier de|habite|habites|"
    r"j'habite|vis|reside|ville|commune|village|ville de|commune de|village de|c'est|ville :|"
    r"ville:|commune :|commune:|je suis de|je viens de|originaire de|situe a|installe a|loge a|"
    r"heberge a|hebergee a|domicile a|domiciliee? a|demeure a"
)
_CUE_BEFORE = re.compile(r"(?:^|[\s,.;:!?(])(?:" + _CUES + r")\s*$")
_STRONG_CUE_BEFORE = re.compile(
    r"(?:^|[\s,.;:!?(])"
    r"(?:j'habite|habite|habites|habitons|habitez|habitent|vis|vit|vivons|vivez|vivent|reside|resides|"
    r"residons|residez|resident|demeure|demeurons|loge|logeons|logent|je suis de|je viens de|on vient de|"
    r"nous venons de|originaire|installee?s?|domiciliee?s?|suis sur|on est sur|je suis sur|nous sommes sur|"
    r"(?:ma |notre |la |de )?(?:ville|commune|village))"
    r"\s*(?:c'est|c est|:|=)?\s*"
    r"(?:a|au|aux|en|sur|dans|de|d'|du|des|a la|pres de|a cote de|vers|:)?\s*"
    r"(?:la|le|les|l')?\s*$")
_LEADING_FILLERS = re.compile(
    r"^(?:(?:euh+|heu+|ben|bah|bon|alors|oui|ok|moi|je suis|j'habite|je vis|je reside|on habite|"
    r"on vit|on est|nous habitons|nous vivons|c'est|ma ville|ma commune|ma ville c'est|"
    r"ma commune c'est|ville|commune|village|habite|vis|reside|a|au|aux|en|sur|dans|de|du|"
    r"j'habite a|j'habite sur|j'habite en|j'habite au|je vis a|je suis a|je suis sur|je suis de|"
    r"a cote de|pres de|la commune de|la ville de|le village de|bonjour|salut|merci)[\s,:]+)+")
_TRAILING_FILLERS = re.compile(r"(?:[\s,]+(?:merci|svp|s'il vous plait|voila|bonne journee))+\s*$")
_DEPARTEMENT_CUE_BEFORE = re.compile(
    r"(?:^|[\s,(])(?:dans|en|departement|dept|dpt|dep|du departement)\s*"
    r"(?:de la|de l'|du|des|de|le|la|les|l')?"
    r"\s*$")
_ARTICLES = ("le", "la", "les", "l")
_ARTICLE_CUES = {"au": "le", "aux": "les", "du": "le", "des": "les"}
_SAINTS = {"saint", "sainte", "saints", "saintes"}
# words that join the head of a compound name to the rest: Vandœuvre-lès-Nancy, Cirey-sur-Vezouze
_LINKS = {"les", "lez", "sur", "sous", "en", "aux", "au", "de", "du", "des", "d", "la", "le", "l", "et",
          "pres", "a"}
_BREAK = re.compile(r"[,;:!?()\"\[\]{}]|\.(?:\s|$)")
_ABBREVIATIONS = {"st", "ste", "sts", "stes", "mt", "s", "ss"}

POPULOUS = 10000        # a commune this big is one step less protected by the word lists
CAPITAL_MIN_POPULATION = 2000
DOMINANCE = 200         # the most populous wins when it has 200 times the others together


@dataclass(frozen=True)
class Commune:
    code: str
    name: str
    postcodes: tuple[str, ...]
    population: int
    departement: str
    parent: str | None

    def as_dict(self) -> dict:
        return {"code": self.code, "name": self.name, "postcodes": list(self.postcodes)}

    def brief(self) -> dict:
        return {"code": self.code, "name": self.name, "departement": self.departement}


@dataclass
class CommuneMatch:
    commune: Commune    # the settled commune, or the most likely one
    start: int          # in the normalised text
    end: int
    exact: bool         # False for a typo
    cue: str            # "strong", "weak", "postcode", "departement", "whole", "capital", "start"
    candidates: tuple[Commune, ...] = ()       # when not settled: every candidate, most likely first
    arrondissements: tuple[Commune, ...] = ()  # Paris, Lyon, Marseille without an arrondissement

    @property
    def settled(self) -> bool:
        return not self.candidates


# --- keys ---------------------------------------------------------------------------------------

_CANONICAL = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes", "s": "sur",
              "ss": "sous", "mt": "mont", "ft": "fort", "nd": "notre dame"}


def _canonical_token(token: str) -> str:
    return _CANONICAL.get(token, token)


_FOLD = str.maketrans(_CHAR_MAP)


def fold(text: str) -> str:
    """simple_normalise without the offsets (faster, for names): lowercase, no accents, no letter
    three times in a row."""
    text = text.lower().translate(_FOLD)
    if not text.isascii():
        text = strip_accents(text).translate(_FOLD)
    return _REPEATED_LETTERS.sub(r"\1", text)


def name_key(name: str) -> str:
    """Matching key of a name: « Saint-Étienne-du-Rouvray » → « saint etienne du rouvray »."""
    tokens = re.findall(r"[a-z0-9]+", fold(name))
    return " ".join(_canonical_token(t) for t in tokens)


_ORDINAL_WORDS = {1: ["premier"], 2: ["deuxieme", "second"], 3: ["troisieme"], 4: ["quatrieme"],
                  5: ["cinquieme"], 6: ["sixieme"], 7: ["septieme"], 8: ["huitieme"], 9: ["neuvieme"],
                  10: ["dixieme"], 11: ["onzieme"], 12: ["douzieme"], 13: ["treizieme"],
                  14: ["quatorzieme"], 15: ["quinzieme"], 16: ["seizieme"], 17: ["dix septieme"],
                  18: ["dix huitieme"], 19: ["dix neuvieme"], 20: ["vingtieme"]}


def _arrondissement_keys(city: str, number: int) -> set[str]:
    keys: set[str] = set()
    suffixes = ["", "e", "eme", "ieme", "em", "er", "ere"] if number == 1 else ["", "e", "eme", "ieme", "em"]
    for suffix in suffixes:
        for tail in ("", " arrondissement", " arr", " arrt", " ardt"):
            keys.add(f"{city} {number}{suffix}{tail}")
            keys.add(f"{city} {number} {suffix}{tail}".replace("  ", " "))
        if suffix:
            for middle in (" arrondissement de", " arrondissement", " arr de", " arr", " de", " a"):
                keys.add(f"{number}{suffix}{middle} {city}")
                keys.add(f"{number} {suffix}{middle} {city}")
    for middle in (" arrondissement de", " arrondissement"):
        keys.add(f"{number}{middle} {city}")
    for word in _ORDINAL_WORDS.get(number, []):
        keys.add(f"{city} {word}")
        keys.add(f"{city} {word} arrondissement")
        keys.add(f"{word} arrondissement de {city}")
    return keys


def name_keys(name: str, key: str | None = None) -> set[str]:
    """Every key a commune of this official name is found by (besides its head, see head_key)."""
    key = key or name_key(name)
    keys = {key}
    tokens = key.split()
    # « L'Haÿ-les-Roses » is often typed « lhay les roses »
    if len(tokens) >= 2 and tokens[0] in ("l", "d"):
        keys.add(tokens[0] + " ".join(tokens[1:]))
    match = re.fullmatch(r"(.+) (\d+)(?:e|er) arrondissement", key)
    if match:
        keys |= _arrondissement_keys(match.group(1), int(match.group(2)))
    # « Le Havre » after « au »: an article-less key, marked with '#'
    if len(tokens) >= 2 and tokens[0] in _ARTICLES:
        keys.add("#" + " ".join(tokens[1:]) + "|" + tokens[0])
    return keys


def head_key(name: str, key: str | None = None) -> str | None:
    """The short name of a compound name: « vandoeuvre » for Vandœuvre-lès-Nancy, « boulogne » for
    Boulogne-Billancourt; None when there is none (« Saint-Max », « Mont-Saint-Martin »)."""
    tokens = (key or name_key(name)).split()
    if len(tokens) < 2 or re.search(r"\d", name):
        return None
    cut = next((i for i, t in enumerate(tokens) if i > 0 and t in _LINKS), None)
    if cut is None:
        if len(tokens) != 2 or tokens[0] in _SAINTS | set(_ARTICLES) | {"mont", "notre"}:
            return None
        cut = 1
    head = tokens[:cut]
    if head[0] in _ARTICLES or all(t in _SAINTS | {"notre", "dame", "mont", "saint"} for t in head):
        return None
    if len("".join(head)) < 3:
        return None
    return " ".join(head)


def _compact(key: str) -> str:
    return key.replace(" ", "")


# --- word lists and territories -----------------------------------------------------------------

def load_word_list(name: str) -> set[str]:
    try:
        lines = (DATA_DIR / name).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return set()
    return {line.strip() for line in lines if line.strip() and not line.startswith("#")}


def territories_dir() -> Path:
    configured = os.environ.get("TERRITORIES_DIR")
    if configured:
        path = Path(configured)
        return path if path.is_absolute() else _REPO / path
    return _DEFAULT_TERRITORIES


def territory_codes() -> set[str]:
    """INSEE codes listed under `communes:` in the territory files (an unreadable file is skipped:
    the API reports it)."""
    try:
        import yaml
    except ImportError:  # pragma: no cover - PyYAML is in both runtimes
        return set()
    codes: set[str] = set()
    folder = territories_dir()
    if not folder.is_dir():
        return codes
    for path in sorted(folder.glob("*.yml")):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError):
            continue
        if isinstance(data, dict):
            codes.update(str(code) for code in data.get("communes") or [])
    return codes


# --- edit distance ------------------------------------------------------------------------------

def edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance (insertion, deletion, substitution, swap of two neighbours),
    or limit + 1 as soon as it is known to exceed `limit`."""
    if a == b:
        return 0
    la, lb = len(a), len(b)
    if abs(la - lb) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(lb + 1))
    for i in range(1, la + 1):
        current = [i] + [0] * lb
        best = current[0]
        ca = a[i - 1]
        for j in range(1, lb + 1):
            cost = 0 if ca == b[j - 1] else 1
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == b[j - 1]:
                value = min(value, previous2[j - 2] + 1)
            current[j] = value
            if value < best:
                best = value
        if best > limit:
            return limit + 1
        previous2, previous = previous, current
    return min(previous[lb], limit + 1)


def token_budget(length: int) -> int:
    """Edits tolerated in one word of a name: none under 4 letters, 1 up to 7, 2 from 8."""
    return 0 if length < 4 else (1 if length < 8 else 2)


def key_budget(compact_length: int) -> int:
    """Edits tolerated in a whole name: none under 5 letters, 1 up to 7, 2 from 8."""
    return 0 if compact_length < 5 else (1 if compact_length < 8 else 2)


def _pieces(length: int, count: int) -> list[tuple[int, int]]:
    bounds = [round(i * length / count) for i in range(count + 1)]
    return [(bounds[i], bounds[i + 1] - bounds[i]) for i in range(count)]


class NearWords:
    """Words of a vocabulary within token_budget (optimal string alignment) of a typed word.

    Each word of budget b is cut in b + 2 pieces: a typo of at most b insertions, deletions or
    substitutions leaves two pieces intact, each shifted by at most b. Swaps of two neighbours are
    found by swapping the typed word's letters first. No word is missed; few are checked."""

    def __init__(self, vocabulary):
        self.vocabulary = frozenset(w for w in vocabulary if len(w) >= 4)
        # length → one {piece: words} per piece
        self.pieces: dict[int, list[dict[str, list[str]]]] = {}
        for word in sorted(self.vocabulary):
            length = len(word)
            cuts = _pieces(length, token_budget(length) + 2)
            tables = self.pieces.setdefault(length, [{} for _ in cuts])
            for table, (start, size) in zip(tables, cuts):
                table.setdefault(word[start:start + size], []).append(word)

    def _candidates(self, typed: str, found: set[str], spent: int = 0) -> None:
        """Words with enough intact pieces to be within budget - `spent` edits of `typed`."""
        n = len(typed)
        for length in range(max(4, n - 2), n + 3):
            tables = self.pieces.get(length)
            budget = token_budget(length) - spent
            if tables is None or budget < 0 or abs(length - n) > budget:
                continue
            hits: dict[str, int] = {}
            for bit, (table, (start, size)) in enumerate(zip(tables, _pieces(length, budget + spent + 2))):
                for begin in range(max(0, start - budget), min(n - size, start + budget) + 1):
                    for word in table.get(typed[begin:begin + size], ()):
                        hits[word] = hits.get(word, 0) | (1 << bit)
            needed = len(tables) - budget
            found.update(word for word, mask in hits.items() if bin(mask).count("1") >= needed)

    def near(self, typed: str) -> list[tuple[str, int]]:
        """(word, edits) of the vocabulary near `typed`, itself excluded, fewest edits first."""
        if len(typed) < 4:
            return []
        found: set[str] = set()
        self._candidates(typed, found)
        for i in range(len(typed) - 1):
            if typed[i] != typed[i + 1]:
                swapped = typed[:i] + typed[i + 1] + typed[i] + typed[i + 2:]
                if swapped in self.vocabulary:
                    found.add(swapped)
                if len(typed) >= 7:   # two swaps
                    found.update(w for k in range(i + 2, len(typed) - 1) if len(
                        w := swapped[:k] + swapped[k + 1] + swapped[k] + swapped[k + 2:]) >= 8
                        and w in self.vocabulary)
                if len(typed) >= 7:
                    self._candidates(swapped, found, spent=1)   # a swap and one more edit
        found.discard(typed)
        scored = []
        for word in found:
            budget = token_budget(len(word))
            distance = edit_distance(typed, word, budget)
            if distance <= budget:
                scored.append((word, distance))
        return sorted(scored, key=lambda item: (item[1], item[0]))


# --- the index ----------------------------------------------------------------------------------

class _Index:
    """Lookup tables built once from the communes file."""

    def __init__(self, communes: list[Commune], territories: set[str]):
        self.communes = communes
        self.by_code = {c.code: c for c in communes}
        self.territories = territories
        self.common = load_word_list(COMMON_FILE)
        self.ambiguous = load_word_list(AMBIGUOUS_FILE)
        self.typo_blocklist = load_word_list(TYPO_BLOCKLIST_FILE)
        self.by_key: dict[str, list[Commune]] = {}
        self.by_head: dict[str, list[Commune]] = {}
        self.by_postcode: dict[str, list[Commune]] = {}
        self.children: dict[str, list[Commune]] = {}
        for commune in communes:
            base = name_key(commune.name)
            for key in name_keys(commune.name, base):
                self.by_key.setdefault(key, []).append(commune)
            head = head_key(commune.name, base)
            if head and head not in self.common and head not in self.ambiguous:
                self.by_head.setdefault(head, []).append(commune)
            for postcode in commune.postcodes:
                self.by_postcode.setdefault(postcode, []).append(commune)
            if commune.parent:
                self.children.setdefault(commune.parent, []).append(commune)
        for table in (self.by_key, self.by_head, self.by_postcode):
            for found in table.values():
                found.sort(key=lambda c: (-c.population, c.code))
        for found in self.children.values():
            found.sort(key=lambda c: c.code)
        plain_keys = [k for k in self.by_key if not k.startswith("#")]
        self.by_compact: dict[str, list[str]] = {}
        for key in [*plain_keys, *self.by_head]:
            if " " in key:
                self.by_compact.setdefault(_compact(key), []).append(key)
        self.compact_sorted = sorted(self.by_compact)
        # longest key (in words) starting with each word
        self.first: dict[str, int] = {}
        article_less = [k[1:].split("|")[0] for k in self.by_key if k.startswith("#")]
        for key in [*plain_keys, *self.by_head, *article_less]:
            tokens = key.split()
            self.first[tokens[0]] = max(self.first.get(tokens[0], 0), len(tokens))
        self.vocabulary = {t for k in [*plain_keys, *self.by_head] for t in k.split() if t.isalpha()}
        self._near_words = NearWords(self.vocabulary)
        self._near_cache: dict[str, tuple[tuple[str, int], ...]] = {}
        self.departements = _departement_keys()
        self.departement_first = {}
        for key in self.departements:
            tokens = key.split()
            self.departement_first[tokens[0]] = max(self.departement_first.get(tokens[0], 0), len(tokens))

    def lookup(self, key: str) -> tuple[list[Commune], list[Commune]]:
        """(communes of this full name, communes of this head)."""
        return self.by_key.get(key, []), self.by_head.get(key, [])

    def word_class(self, key: str) -> int:
        """1: everyday words, 2: other French words, 3: not French (see the module docstring)."""
        if key in self.common:
            return 1
        if key in self.ambiguous:
            return 2
        return 3

    def near(self, typed: str) -> tuple[tuple[str, int], ...]:
        """Words of commune names that `typed` may be a typo of (never a French word)."""
        cached = self._near_cache.get(typed)
        if cached is None:
            # a word of a commune name or a French word is what it is, not a typo
            wrong = typed in self.typo_blocklist or typed in self.vocabulary or not typed.isalpha()
            cached = () if wrong else tuple(self._near_words.near(typed)[:50])
            if len(self._near_cache) > 20000:
                self._near_cache.clear()
            self._near_cache[typed] = cached
        return cached


def _departement_keys() -> dict[str, tuple[str, ...]]:
    keys: dict[str, tuple[str, ...]] = {}
    for code, name in DEPARTEMENTS.items():
        key = name_key(name)
        keys[key] = (code,)
        tokens = key.split()
        if tokens[0] in _ARTICLES and len(tokens) > 1:
            keys[" ".join(tokens[1:])] = (code,)
    for alias, codes in _DEPARTEMENT_ALIASES.items():
        keys[alias] = codes
    return keys


_INDEX: _Index | None = None
_LOCK = threading.Lock()


def communes_file() -> Path:
    """Where the official list of communes is read from."""
    configured = os.environ.get("COMMUNES_FILE")
    if configured:
        path = Path(configured)
        return path if path.is_absolute() else _REPO / path
    return _DEFAULT_FILE


def read_communes(path: Path | None = None) -> list[Commune]:
    raw = json.loads((path or communes_file()).read_text(encoding="utf-8"))
    return [Commune(c["code"], c["name"], tuple(c.get("postcodes") or ()), int(c.get("population") or 0),
                    c.get("departement") or "", c.get("parent")) for c in raw["communes"]]


def _index() -> _Index:
    global _INDEX
    if _INDEX is None:
        with _LOCK:
            if _INDEX is None:
                _INDEX = _Index(read_communes(), territory_codes())
    return _INDEX


def reset_cache() -> None:
    """Forget the loaded lists (tests that point COMMUNES_FILE or TERRITORIES_DIR elsewhere call this)."""
    global _INDEX
    _INDEX = None


# --- postcodes ----------------------------------------------------------------------------------

def valid_postcode(code: str) -> bool:
    """Five digits whose first two (or three, overseas) are a French département."""
    if not re.fullmatch(r"\d{5}", code):
        return False
    if code[:2] == "97" or code[:2] == "98":
        return code[:3] in _OVERSEAS_PREFIXES
    return code[:2] in _DEPARTEMENT_PREFIXES and code != "00000"


def postcode_mentions(nt: NormText) -> list[tuple[str, int, int]]:
    """(postcode, start, end) in normalised text; « 54 000 » counts only after « code postal »."""
    found = []
    for match in _POSTCODE.finditer(nt.text):
        if match.group(1):
            code = match.group(1)
        else:
            if not _POSTCODE_CUE.search(nt.text[:match.start()]):
                continue
            code = match.group(2) + match.group(3)
        after = nt.text[match.end():]
        if re.match(r"\s*(?:€|e\b|eur|euros?|balles?|k\b|par mois|par an|/mois|/an|net|brut)", after):
            continue
        if re.search(r"(?:gagne|touche|salaire|loyer|revenus?|paye|paie)\s*(?:de|d')?\s*$",
                     nt.text[:match.start()]):
            continue
        if valid_postcode(code):
            found.append((code, match.start(), match.end()))
    return found


def find_postcode(text: str) -> str | None:
    """The first French postcode in `text` as a 5-digit string, or None."""
    found = postcode_mentions(normalise_with_offsets(text))
    return found[0][0] if found else None


def _postcode_departement(code: str) -> str:
    if code[:2] == "20":
        return "2A" if code < "20200" else "2B"
    return code[:3] if code[:2] in ("97", "98") else code[:2]


# --- départements -------------------------------------------------------------------------------

@dataclass
class _Hints:
    postcodes: set[str] = field(default_factory=set)
    # (codes, start, end, cued): a département named or numbered, and whether a cue announced it
    departements: list[tuple[tuple[str, ...], int, int, bool]] = field(default_factory=list)

    def departements_for(self, text: str, start: int, end: int) -> set[str]:
        """The départements that narrow a name at [start, end): those announced anywhere else in the
        message (« dans la Meuse », « (55) », « en Seine-Saint-Denis »), and any right after the
        name (« Saint-Denis 93 », « Blamont Doubs ») — not a bare number elsewhere (« 12 ans »)."""
        codes: set[str] = set()
        for found, dstart, dend, cued in self.departements:
            if (cued and (dend <= start or dstart >= end)) or (dstart >= end and _ADJACENT.fullmatch(
                    text[end:dstart])):
                codes.update(found)
        return codes


# what may stand between a town and its département: « Saint-Denis 93 », « Blamont (25) »,
# « Blamont, dans le Doubs », « Blamont en Meurthe-et-Moselle »
_ADJACENT = re.compile(r"\s*[,(-]?\s*(?:dans|en|departement|dept|dpt|dep)?\s*"
                       r"(?:de la|de l'|du|des|de|le|la|les|l')?\s*")
_DEPARTEMENT_NUMBER = re.compile(r"(?<![a-z0-9,.])(\d{2,3}|2a|2b)(?![a-z0-9]|[,.]\d)")


def _departement_mentions(index: _Index, nt: NormText, tokens: list[tuple[str, int, int]]) -> list:
    found = []
    text = nt.text
    i = 0
    while i < len(tokens):
        longest = index.departement_first.get(tokens[i][0], 0)
        for j in range(min(len(tokens), i + longest), i, -1):
            key = " ".join(t for t, _, _ in tokens[i:j])
            codes = index.departements.get(key)
            if codes:
                start, end = tokens[i][1], tokens[j - 1][2]
                cued = bool(_DEPARTEMENT_CUE_BEFORE.search(text[:start])) or " " in key \
                    or text[end:end + 1] == ")" or text[max(0, start - 1):start] == "("
                found.append((codes, start, end, cued))
                i = j - 1
                break
        i += 1
    for match in _DEPARTEMENT_NUMBER.finditer(text):
        number = match.group(1).upper()
        code = number if number in DEPARTEMENTS else None
        if code is None or _NOT_A_PLACE_NUMBER.match(text[match.end():]):
            continue
        before = text[:match.start()]
        cued = bool(_DEPARTEMENT_CUE_BEFORE.search(before)) or (before.endswith("(") and
                                                                text[match.end():match.end() + 1] == ")")
        found.append(((code,), match.start(), match.end(), cued))
    return found


def departement_name_mentions(nt: NormText) -> list[Mention]:
    """Départements named (« la Marne », « en Seine-Saint-Denis », « dans le 92 »), announced or, in
    words, as a short answer: entity "departement" with its code (the answer to « Laquelle ? »)."""
    index = _index()
    short = len(nt.text.split()) <= 4
    return [Mention("departement", codes[0], start, end)
            for codes, start, end, cued in _departement_mentions(index, nt, _tokens(nt))
            if cued or (short and not nt.text[start:end].strip().isdigit())]


def departement_name(code: str) -> str | None:
    """« 54 » → « Meurthe-et-Moselle »."""
    return DEPARTEMENTS.get(code)


# --- communes -----------------------------------------------------------------------------------

def _tokens(nt: NormText) -> list[tuple[str, int, int]]:
    return [(_canonical_token(m.group(0)), m.start(), m.end()) for m in re.finditer(r"[a-z0-9]+", nt.text)]


def _breaks(nt: NormText, tokens: list[tuple[str, int, int]]) -> list[bool]:
    """breaks[k]: a name cannot go on from token k to token k + 1 (a comma, a bracket, a full stop)."""
    out = []
    for k in range(len(tokens) - 1):
        between = nt.text[tokens[k][2]:tokens[k + 1][1]]
        raw = nt.text[tokens[k][1]:tokens[k][2]]
        if raw in _ABBREVIATIONS and between.strip() in (".", "./", "/"):
            out.append(False)
        else:
            out.append(bool(_BREAK.search(between)))
    out.append(True)
    return out


def _capitalised(original: str, nt: NormText, start: int) -> bool:
    pos = nt.starts[start] if start < len(nt.starts) else 0
    return pos < len(original) and original[pos].isupper() and not original.isupper()


def _whole_message_key(norm: str) -> str:
    stripped = re.sub(r"[^a-z0-9' -]", " ", norm)
    stripped = _LEADING_FILLERS.sub("", stripped.strip())
    stripped = _TRAILING_FILLERS.sub("", stripped)
    stripped = re.sub(r"\b\d{5}\b|\(\s*\d{2,3}\s*\)", " ", stripped)
    return " ".join(_canonical_token(t) for t in re.findall(r"[a-z0-9]+", stripped))


class _Reader:
    """Reads the communes of one message."""

    def __init__(self, index: _Index, text: str, nt: NormText):
        self.index = index
        self.text = text
        self.nt = nt
        self.tokens = _tokens(nt)
        self.breaks = _breaks(nt, self.tokens)
        self.postcodes = postcode_mentions(nt)
        self.hints = _Hints({code for code, _, _ in self.postcodes},
                            _departement_mentions(index, nt, self.tokens))
        whole = _whole_message_key(nt.text)
        words = whole.split()
        if len(words) > 8:     # longer than any name
            whole, words = "", []
        self.whole = whole
        self.whole_compact = _compact(whole)
        self.whole_start = next((i for i in range(len(self.tokens))
                                 if [t for t, _, _ in self.tokens[i:i + len(words)]] == words), None) \
            if words else None
        self._dont_know: bool | None = None
        lead = _LEADING_FILLERS.match(re.sub(r"[^a-z0-9' -]", " ", nt.text))
        self.first_start = lead.end() if lead else 0
        self.place_starts = [s for _, s, _ in self.postcodes] + \
            [s for _, s, _, cued in self.hints.departements if cued]

    def original(self, start: int, end: int) -> str:
        begin, finish = self.nt.span(start, end)
        return self.text[begin:finish]

    def whole_is(self, typed: str) -> bool:
        """The message is this name and nothing else (« je sais pas » never is)."""
        if not self.whole or self.whole_compact != _compact(typed):
            return False
        if self._dont_know is None:
            self._dont_know = is_dont_know(self.text)
        return not self._dont_know

    # cues
    def _beside(self, start: int, end: int, communes: list[Commune]) -> str | None:
        """"postcode" or "departement" when one of `communes` is confirmed right beside the name."""
        if self.hints.postcodes & {p for c in communes for p in c.postcodes}:
            return "postcode"
        departements = {c.departement for c in communes}
        for codes, dstart, _, _ in self.hints.departements:
            if dstart >= end and departements & set(codes) and _ADJACENT.fullmatch(self.nt.text[end:dstart]):
                return "departement"
        return None

    def cue(self, start: int, end: int, key: str, typed: str, communes: list[Commune],
            exact: bool) -> str | None:
        """How the name `key`, typed `typed`, is announced, or None when it is not to be read as a town."""
        index = self.index
        before = self.nt.text[max(0, start - 60):start]
        best = communes[0]
        word_class = index.word_class(key.lstrip("#").split("|")[0])
        if word_class < 3 and (best.population >= POPULOUS or any(c.code in index.territories
                                                                   for c in communes)):
            word_class += 1
        capital = _capitalised(self.text, self.nt, start)
        if exact and not _accents_agree(self.original(start, end), communes):
            return None   # « marié » is not Marie
        beside = self._beside(start, end, communes)
        if beside:
            return beside
        if not exact and word_class == 1:
            return None
        if self.whole_is(typed):
            return "whole" if word_class >= 2 or capital else None
        strong = bool(_STRONG_CUE_BEFORE.search(before))
        if strong and (word_class >= 2 or capital):
            return "strong"
        if not exact:
            return None
        weak = strong or bool(_CUE_BEFORE.search(before))
        if weak and (word_class == 3 or capital):
            return "weak"
        if word_class == 3 and best.population >= CAPITAL_MIN_POPULATION:
            if capital and start > 0:
                return "capital"
            if start == self.first_start:
                return "start"    # « nancy, 2 enfants », « lyon 3eme et 2 enfants »
        return None

    def expects_place(self, i: int) -> bool:
        """A typo is looked for only where a town is expected: the whole message, after a strong cue,
        or just before a postcode or a département."""
        if i == self.whole_start:
            return True
        start = self.tokens[i][1]
        if any(start < s <= start + 60 for s in self.place_starts):
            return True
        return bool(_STRONG_CUE_BEFORE.search(self.nt.text[max(0, start - 60):start]))

    def _compact_reach(self, i: int) -> int:
        """How many words from token i may be a name typed without its spaces (« vaulxen velin »)."""
        prefixes = self.index.compact_sorted
        typed = ""
        reach = 0
        for k in range(i, min(i + 4, len(self.tokens))):
            typed += self.tokens[k][0]
            at = bisect_left(prefixes, typed)
            if at == len(prefixes) or not prefixes[at].startswith(typed):
                break
            reach = k - i + 1
            if self.breaks[k]:
                break
        return reach

    # windows
    def _window_end(self, i: int, longest: int) -> int:
        j = i
        while j < len(self.tokens) and j - i < longest:
            j += 1
            if self.breaks[j - 1]:
                break
        return j

    def _exact(self, i: int, j: int) -> tuple[str, list[Commune], list[Commune]] | None:
        key = " ".join(t for t, _, _ in self.tokens[i:j])
        full, heads = self.index.lookup(key)
        if not full and not heads and j - i <= 4:
            for other in self.index.by_compact.get(_compact(key), ()):
                more_full, more_heads = self.index.lookup(other)
                full, heads = full + more_full, heads + more_heads
                key = other
        if not full and not heads:
            # « au havre », « aux mureaux »
            article_match = re.search(r"(?:^|\s)(au|aux|du|des)\s*$", self.nt.text[:self.tokens[i][1]])
            if article_match:
                for article in ("le", "les", "la", "l"):
                    found = self.index.by_key.get(f"#{key}|{article}")
                    if found and _ARTICLE_CUES.get(article_match.group(1)) == article:
                        return f"#{key}|{article}", found, []
        if not full and not heads:
            return None
        if re.fullmatch(r"\d+", self.tokens[j - 1][0]) and _NOT_A_PLACE_NUMBER.match(
                self.nt.text[self.tokens[j - 1][2]:]):
            return None  # « lyon 3 enfants »
        return key, full, heads

    def _fuzzy(self, i: int, j_max: int,
               j_min: int) -> tuple[int, str, list[Commune], list[Commune], int] | None:
        """The longest window from token i (ending after token j_min) that is a name with a typo:
        (j, key, full, heads, edits)."""
        index = self.index
        best = None
        for j in range(min(j_max, i + 6), j_min, -1):
            typed = [t for t, _, _ in self.tokens[i:j]]
            if not index.first.get(typed[0]) and len(typed[0]) < 4:
                continue
            options = [index.near(token) if len(token) >= 4 else () for token in typed]
            if not any(options):
                continue
            found: dict[str, int] = {}
            for key, edits in _combinations(typed, options):
                full, heads = index.lookup(key)
                if (full or heads) and edits <= key_budget(len(_compact(key))) and edits < found.get(key, 9):
                    found[key] = edits
            if found:
                # every name as near as the nearest: the homonym rules choose among their communes
                fewest = min(found.values())
                keys = sorted((k for k, e in found.items() if e == fewest),
                              key=lambda k: (-max(c.population for c in sum(index.lookup(k), [])), k))
                full = [c for k in keys for c in index.lookup(k)[0]]
                heads = [c for k in keys for c in index.lookup(k)[1]]
                best = (j, keys[0], full, heads, fewest)
                break
        return best

    def matches(self) -> list[CommuneMatch]:
        index = self.index
        tokens = self.tokens
        matches: list[CommuneMatch] = []
        i = 0
        while i < len(tokens):
            found = None
            exact_end = i
            longest = max(index.first.get(tokens[i][0], 0), self._compact_reach(i))
            if not longest and not tokens[i][0].isalpha():
                i += 1
                continue
            j_max = self._window_end(i, longest)
            for j in range(j_max, i, -1):
                exact = self._exact(i, j)
                if not exact:
                    continue
                key, full, heads = exact
                start, end = tokens[i][1], tokens[j - 1][2]
                if self._is_departement_phrase(key, start) or self._inside_departement(start, end) or (
                        matches and key in index.departements and _ADJACENT.fullmatch(
                            self.nt.text[matches[-1].end:start])):
                    continue   # « en Moselle », « Seine-Saint-Denis », « Blamont Doubs »: a département
                typed = " ".join(t for t, _, _ in tokens[i:j])
                cue = self.cue(start, end, key, typed, full or heads, True)
                if cue is None:
                    continue
                found = self._match(start, end, full, heads, True, cue)
                exact_end = j
                break
            # where a town is expected, a misspelt longer name beats an exact shorter one
            # (« vaulx en velain » is not Vaulx in Haute-Savoie)
            if exact_end < self._window_end(i, 6) and self.expects_place(i):
                fuzzy = self._fuzzy(i, self._window_end(i, 6), exact_end)
                if fuzzy:
                    j, key, full, heads, _ = fuzzy
                    start, end = tokens[i][1], tokens[j - 1][2]
                    typed = " ".join(t for t, _, _ in tokens[i:j])
                    cue = self.cue(start, end, key, typed, full or heads, False)
                    if cue in ("strong", "whole", "postcode", "departement") and \
                            (found is None or end > found.end):
                        found = self._match(start, end, full, heads, False, cue)
            if found:
                matches.append(found)
                while i < len(tokens) and tokens[i][1] < found.end:
                    i += 1
            else:
                i += 1
        return matches

    def _inside_departement(self, start: int, end: int) -> bool:
        """« Saint-Denis » in « Seine-Saint-Denis »."""
        return any(dstart <= start and end <= dend and dend - dstart > end - start
                   for _, dstart, dend, _ in self.hints.departements)

    def _is_departement_phrase(self, key: str, start: int) -> bool:
        """« dans la Vienne », « en Moselle »: the département, not a town of that name."""
        if key not in self.index.departements:
            return False
        return bool(re.search(r"(?:^|\s)(?:dans (?:la|le|les|l')|en|"
                              r"departement (?:de la|du|de l'|des|de))\s*$",
                              self.nt.text[:start]))

    def _match(self, start: int, end: int, full: list[Commune], heads: list[Commune], exact: bool,
               cue: str) -> CommuneMatch:
        typed = self.original(start, end)
        chosen, candidates = resolve(self.index, full, heads, self.hints.postcodes,
                                     self.hints.departements_for(self.nt.text, start, end), typed)
        arrondissements: tuple[Commune, ...] = ()
        children = self.index.children.get(chosen.code)
        if children and not candidates:
            by_postcode = [c for c in children if self.hints.postcodes & set(c.postcodes)]
            if len(by_postcode) == 1:
                chosen = by_postcode[0]
            else:
                arrondissements = tuple(children)
        return CommuneMatch(chosen, start, end, exact, cue, tuple(candidates), arrondissements)

    def postcode_matches(self, named: list[CommuneMatch]) -> list[CommuneMatch]:
        """Communes designated by a postcode that no named commune of the message explains."""
        out = []
        for code, start, end in self.postcodes:
            if any(code in m.commune.postcodes or any(code in c.postcodes for c in m.candidates)
                   or any(code in c.postcodes for c in m.arrondissements) for m in named):
                continue
            served = [c for c in self.index.by_postcode.get(code, []) if c.code not in self.index.children]
            if not served:
                continue
            chosen, candidates = _decide(served, [])
            out.append(CommuneMatch(chosen, start, end, True, "postcode", tuple(candidates)))
        return out


def _combinations(typed: list[str], options: list[tuple[tuple[str, int], ...]], limit: int = 2):
    """Keys made by replacing one or two typed words by near words (at most `limit` edits)."""
    n = len(typed)
    for a in range(n):
        for word, edits in options[a]:
            if edits > limit:
                continue
            first = typed[:a] + [word] + typed[a + 1:]
            yield " ".join(first), edits
            for b in range(a + 1, n):
                for word_b, edits_b in options[b]:
                    if edits + edits_b <= limit:
                        yield " ".join(first[:b] + [word_b] + first[b + 1:]), edits + edits_b


def _accented_words(text: str) -> set[str]:
    return {w for w in re.findall(r"[^\W\d_]+", text.lower()) if strip_accents(w) != w}


def _accents_agree(typed: str, communes: list[Commune]) -> bool:
    """The words of a name typed with accents have these accents in one of the names (« 7ème » is
    not a word of « Lyon 7e Arrondissement »: it does not count)."""
    accented = _accented_words(typed)
    if not accented:
        return True
    for commune in communes:
        words = set(re.findall(r"[^\W\d_]+", commune.name.lower()))
        plain = {strip_accents(w) for w in words}
        if all(w in words for w in accented if strip_accents(w) in plain):
            return True
    return False


def _dominant(communes: list[Commune]) -> bool:
    top = communes[0].population
    return top > 0 and top >= DOMINANCE * sum(c.population for c in communes[1:])


def _ranked(communes: list[Commune], territories: set[str]) -> list[Commune]:
    return sorted(communes, key=lambda c: (c.code not in territories, -c.population, c.code))


def _decide(communes: list[Commune], territories) -> tuple[Commune, list[Commune]]:
    ranked = _ranked(communes, set(territories))
    if len(ranked) == 1 or _dominant(ranked):
        return ranked[0], []
    return ranked[0], ranked


def resolve(index: _Index, full: list[Commune], heads: list[Commune], postcodes: set[str],
            departements: set[str], typed: str = "") -> tuple[Commune, list[Commune]]:
    """(the commune, []) when settled, else (the most likely, every candidate): the rules of the
    module docstring."""
    seen: set[str] = set()
    pool = [c for c in full + heads if not (c.code in seen or seen.add(c.code))]

    def narrow(communes: list[Commune], keep) -> list[Commune]:
        kept = [c for c in communes if keep(c)]
        return kept or communes

    if postcodes:
        pool = narrow(pool, lambda c: bool(postcodes & set(c.postcodes)))
        pool = narrow(pool, lambda c: c.departement in {_postcode_departement(p) for p in postcodes})
    if departements:
        pool = narrow(pool, lambda c: c.departement in departements)
    if _accented_words(typed):
        pool = narrow(pool, lambda c: _accents_agree(typed, [c]))
    pool = narrow(pool, lambda c: c.code in index.territories)
    pool = _ranked(pool, index.territories)
    if len(pool) == 1 or _dominant(pool):
        return pool[0], []
    full_codes = {c.code for c in full}
    named = [c for c in pool if c.code in full_codes]
    by_head = [c for c in pool if c.code not in full_codes]
    if named and by_head and (len(named) == 1 or _dominant(named)) and \
            named[0].population > max(c.population for c in by_head):
        return named[0], []
    return pool[0], pool


def commune_matches(text: str, nt: NormText | None = None) -> list[CommuneMatch]:
    """Communes named in `text`, accepted by the cue rules of the module docstring."""
    if not text:
        return []
    index = _index()
    nt = nt or normalise_with_offsets(text)
    return _Reader(index, text, nt).matches()


def commune_mentions(text: str, nt: NormText | None = None) -> list[Mention]:
    """Communes of a message as Mentions (entity "commune", value the official name, span in nt.text).

    extra: {"code": INSEE code} and, when not settled, "candidates": [{"code", "name", "departement"},
    ...] (the value and code are then those of the most likely); for Paris, Lyon or Marseille named
    without an arrondissement, "arrondissements": [{"code", "name"}, ...]. A postcode that no named
    commune explains gives the commune it serves (or its candidates)."""
    if not text or not text.strip():
        return []
    index = _index()
    nt = nt or normalise_with_offsets(text)
    reader = _Reader(index, text, nt)
    named = reader.matches()
    out = []
    for match in sorted(named + reader.postcode_matches(named), key=lambda m: m.start):
        extra: dict = {"code": match.commune.code}
        if match.candidates:
            extra["candidates"] = [c.brief() for c in match.candidates]
        if match.arrondissements:
            extra["arrondissements"] = [{"code": c.code, "name": c.name} for c in match.arrondissements]
        out.append(Mention("commune", match.commune.name, match.start, match.end, extra))
    return out


def find_commune(text: str) -> dict | None:
    """{"code", "name", "postcodes"} of the commune named in `text` (official name), or None.

    A homonym not settled gives the most likely; a postcode alone resolves too: to the
    arrondissement or the most populous commune it covers.
    """
    if not text:
        return None
    nt = normalise_with_offsets(text)
    matches = commune_matches(text, nt)
    if matches:
        best = sorted(matches, key=lambda m: (not m.exact, m.cue not in ("postcode", "departement", "whole",
                                                                         "strong"), -(m.end - m.start)))[0]
        return best.commune.as_dict()
    for code, _, _ in postcode_mentions(nt):
        commune = commune_for_postcode(code)
        if commune:
            return commune
    return None


def commune_for_postcode(code: str) -> dict | None:
    """The arrondissement, or else the most populous commune, served by postcode `code`."""
    candidates = _index().by_postcode.get(code, [])
    if not candidates:
        return None
    arrondissements = [c for c in candidates if c.parent]
    chosen = max(arrondissements or candidates, key=lambda c: c.population)
    return chosen.as_dict()


def commune_by_code(code: str) -> dict | None:
    """{"code", "name", "postcodes", "departement"} of the commune (or arrondissement) with this INSEE
    code, or None (for a button that carries the code)."""
    commune = _index().by_code.get(str(code or "").strip().upper())
    if commune is None:
        return None
    return {"code": commune.code, "name": commune.name, "postcodes": list(commune.postcodes),
            "departement": commune.departement}
