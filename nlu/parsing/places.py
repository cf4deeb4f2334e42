"""Postcodes and communes found in French messages.

The official list is var/data/communes.json (built by `make data`), or the file named by the
environment variable COMMUNES_FILE. It is loaded once, lazily, on the first call.

Matching is accent-, case-, hyphen- and apostrophe-insensitive; « st »/« ste » stand for
« saint »/« sainte »; « lyon 7 », « paris 15eme », « marseille 1er » give the arrondissement;
one typo is tolerated on names of 6 letters or more. To avoid reading ordinary words as towns
(« Y », « Eu », « Rue », « Grand »...), a town in free text needs a cue before it (« à », « sur »,
« j'habite »...), a postcode beside it, or to be the whole message; names that are also common
French words (nlu/parsing/data/ambiguous_communes.txt) need a strong cue or a capital letter.
"""
from __future__ import annotations

import json
import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path

from nlu.parsing.text import NormText, normalise_with_offsets, simple_normalise

_REPO = Path(__file__).resolve().parents[2]
_DEFAULT_FILE = _REPO / "var" / "data" / "communes.json"
_AMBIGUOUS_FILE = Path(__file__).resolve().parent / "data" / "ambiguous_communes.txt"
_TYPO_BLOCKLIST_FILE = Path(__file__).resolve().parent / "data" / "typo_blocklist.txt"

_DEPARTEMENT_PREFIXES = {f"{n:02d}" for n in range(1, 96) if n != 20} | {"20"}
_OVERSEAS_PREFIXES = {"971", "972", "973", "974", "975", "976", "977", "978", "986", "987", "988"}
_POSTCODE = re.compile(r"(?<![\d.,])(\d{5})(?![\d])|(?<![\d.,])(\d{2}) (\d{3})(?![\d])")
_POSTCODE_CUE = re.compile(r"(?:code postal|cp|c\.p\.|postal|code)\s*:?\s*$")

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
    r"(?:j'habite|habite|habitons|habitez|vis|vivons|reside|residons|demeure|loge|ville|commune|"
    r"village|je suis de|je viens de|originaire|installee?|domiciliee?|suis sur|"
    r"on est sur|je suis sur|vit|vivent)\s+(?:a|au|aux|en|sur|dans|de|d'|du|des|a la|pres de|:)?\s*"
    r"(?:la|le|les|l')?\s*$")
_LEADING_FILLERS = re.compile(
    r"^(?:(?:euh+|heu+|ben|bah|bon|alors|oui|ok|moi|je suis|j'habite|je vis|je reside|on habite|"
    r"on vit|on est|nous habitons|nous vivons|c'est|ma ville|ma commune|ma ville c'est|"
    r"ma commune c'est|ville|commune|village|habite|vis|reside|a|au|aux|en|sur|dans|de|du|"
    r"j'habite a|j'habite sur|j'habite en|j'habite au|je vis a|je suis a|je suis sur|je suis de|"
    r"a cote de|pres de|la commune de|la ville de|le village de)[\s,:]+)+")
_ARTICLES = ("le", "la", "les", "l")
_ARTICLE_CUES = {"au": "le", "aux": "les", "du": "le", "des": "les"}


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


@dataclass
class CommuneMatch:
    commune: Commune
    start: int          # in the normalised text
    end: int
    exact: bool
    cue: str            # "strong", "weak", "postcode", "whole", "capital", "none"


class _Index:
    """Lookup tables built once from the communes file."""

    def __init__(self, communes: list[Commune]):
        self.communes = communes
        self.by_key: dict[str, list[Commune]] = {}
        self.by_postcode: dict[str, list[Commune]] = {}
        self.deletes: dict[str, set[str]] = {}
        self.max_tokens = 1
        self.ambiguous = _load_word_list(_AMBIGUOUS_FILE)
        self.typo_blocklist = _load_word_list(_TYPO_BLOCKLIST_FILE)
        for commune in communes:
            for key in _name_keys(commune):
                self.by_key.setdefault(key, []).append(commune)
                self.max_tokens = max(self.max_tokens, key.count(" ") + 1)
            for postcode in commune.postcodes:
                self.by_postcode.setdefault(postcode, []).append(commune)
        for key_list in self.by_key.values():
            key_list.sort(key=lambda c: -c.population)
        for key in self.by_key:
            compact = key.replace(" ", "")
            if len(compact) >= 6 and not key.startswith("#"):
                for variant in _deletions(key):
                    self.deletes.setdefault(variant, set()).add(key)

    def fuzzy(self, key: str) -> list[str]:
        """Official keys at one edit (insertion, deletion, substitution, swap) from `key`."""
        if len(key.replace(" ", "")) < 6:
            return []
        candidates: set[str] = set()
        for variant in [key, *_deletions(key)]:
            candidates |= self.deletes.get(variant, set())
            if variant in self.by_key:
                candidates.add(variant)
        return sorted((c for c in candidates if c != key and _one_edit(key, c) and self._plausible_typo(key, c)),
                      key=lambda c: -self.by_key[c][0].population)

    def _plausible_typo(self, typed: str, official: str) -> bool:
        """The misspelt word has 4 letters or more and is not an ordinary French word
        (« coucou » is not a typo for Couzou, nor « ca marche » for La Marche)."""
        typed_tokens, official_tokens = typed.split(), official.split()
        if len(typed_tokens) == len(official_tokens):
            changed = [t for t, o in zip(typed_tokens, official_tokens) if t != o]
        else:  # a space added or removed: « vaulxen velin »
            changed = [t for t in typed_tokens if t not in official_tokens]
        return all(len(t) >= 4 and t not in self.typo_blocklist for t in changed)


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1:] for i in range(len(word))}


def _one_edit(a: str, b: str) -> bool:
    """True when a and b differ by one insertion, deletion, substitution or adjacent swap."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la == lb:
        diffs = [i for i in range(la) if a[i] != b[i]]
        if len(diffs) == 1:
            return True
        return len(diffs) == 2 and diffs[1] == diffs[0] + 1 and a[diffs[0]] == b[diffs[1]] \
            and a[diffs[1]] == b[diffs[0]]
    if la > lb:
        a, b = b, a
    for i in range(len(b)):
        if b[:i] + b[i + 1:] == a:
            return True
    return False


_ORDINAL_WORDS = {1: ["premier"], 2: ["deuxieme", "second"], 3: ["troisieme"], 4: ["quatrieme"],
                  5: ["cinquieme"], 6: ["sixieme"], 7: ["septieme"], 8: ["huitieme"], 9: ["neuvieme"],
                  10: ["dixieme"], 11: ["onzieme"], 12: ["douzieme"], 13: ["treizieme"],
                  14: ["quatorzieme"], 15: ["quinzieme"], 16: ["seizieme"], 17: ["dix septieme"],
                  18: ["dix huitieme"], 19: ["dix neuvieme"], 20: ["vingtieme"]}


def name_key(name: str) -> str:
    """Matching key of a name: « Saint-Étienne-du-Rouvray » → « saint etienne du rouvray »."""
    tokens = re.findall(r"[a-z0-9]+", simple_normalise(name))
    return " ".join(_canonical_token(t) for t in tokens)


def _canonical_token(token: str) -> str:
    return {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes", "s": "sur",
            "ss": "sous", "mt": "mont", "ft": "fort", "nd": "notre dame"}.get(token, token)


def _name_keys(commune: Commune) -> set[str]:
    key = name_key(commune.name)
    keys = {key}
    tokens = key.split()
    # « L'Haÿ-les-Roses » is often typed « lhay les roses »
    if len(tokens) >= 2 and tokens[0] in ("l", "d"):
        keys.add(tokens[0] + " ".join(tokens[1:]))
    # arrondissements: « Lyon 7e Arrondissement » → « lyon 7 », « lyon 7eme », ...
    match = re.fullmatch(r"(.+) (\d+)(?:e|er) arrondissement", key)
    if match:
        city, number = match.group(1), int(match.group(2))
        suffixes = ["", "e", "eme", "ieme", "em", "er", "ere"] if number == 1 else ["", "e", "eme", "ieme", "em"]
        for suffix in suffixes:
            for tail in ("", " arrondissement", " arr", " arrt", " ardt"):
                keys.add(f"{city} {number}{suffix}{tail}")
                keys.add(f"{city} {number} {suffix}{tail}".replace("  ", " "))
        for word in _ORDINAL_WORDS.get(number, []):
            keys.add(f"{city} {word}")
            keys.add(f"{city} {word} arrondissement")
    # « Le Havre » after « au »: keep an article-less key, marked with '#'
    if len(tokens) >= 2 and tokens[0] in _ARTICLES:
        keys.add("#" + " ".join(tokens[1:]) + "|" + tokens[0])
    return keys


def _load_word_list(path: Path) -> set[str]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return set()
    return {line.strip() for line in lines if line.strip() and not line.startswith("#")}


_INDEX: _Index | None = None
_LOCK = threading.Lock()


def communes_file() -> Path:
    """Where the official list of communes is read from."""
    configured = os.environ.get("COMMUNES_FILE")
    if configured:
        path = Path(configured)
        return path if path.is_absolute() else _REPO / path
    return _DEFAULT_FILE


def _index() -> _Index:
    global _INDEX
    if _INDEX is None:
        with _LOCK:
            if _INDEX is None:
                raw = json.loads(communes_file().read_text(encoding="utf-8"))
                communes = [Commune(c["code"], c["name"], tuple(c.get("postcodes") or ()),
                                    int(c.get("population") or 0), c.get("departement") or "",
                                    c.get("parent")) for c in raw["communes"]]
                _INDEX = _Index(communes)
    return _INDEX


def reset_cache() -> None:
    """Forget the loaded list (tests that point COMMUNES_FILE elsewhere call this)."""
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


# --- communes -----------------------------------------------------------------------------------

def _tokens(nt: NormText) -> list[tuple[str, int, int]]:
    return [(_canonical_token(m.group(0)), m.start(), m.end()) for m in re.finditer(r"[a-z0-9]+", nt.text)]


def _pick(candidates: list[Commune], postcodes: set[str]) -> Commune:
    if postcodes:
        for commune in candidates:
            if postcodes & set(commune.postcodes):
                return commune
    return candidates[0]


def _capitalised(original: str, nt: NormText, start: int) -> bool:
    pos = nt.starts[start] if start < len(nt.starts) else 0
    return pos < len(original) and original[pos].isupper() and not original.isupper()


def commune_matches(text: str, nt: NormText | None = None) -> list[CommuneMatch]:
    """Communes named in `text`, accepted by the cue rules of the module docstring."""
    index = _index()
    nt = nt or normalise_with_offsets(text)
    tokens = _tokens(nt)
    postcodes = {code for code, _, _ in postcode_mentions(nt)}
    whole = _whole_message_key(nt.text)
    matches: list[CommuneMatch] = []
    i = 0
    while i < len(tokens):
        best: CommuneMatch | None = None
        for j in range(min(len(tokens), i + index.max_tokens + 1), i, -1):
            key = " ".join(t for t, _, _ in tokens[i:j])
            start, end = tokens[i][1], tokens[j - 1][2]
            before = nt.text[:start]
            candidates = index.by_key.get(key)
            exact = True
            if not candidates:
                # « au havre », « aux mureaux »
                article_match = re.search(r"(?:^|\s)(au|aux|du|des)\s*$", before)
                if article_match:
                    for article in ("le", "les", "la", "l"):
                        candidates = index.by_key.get(f"#{key}|{article}")
                        if candidates and _ARTICLE_CUES.get(article_match.group(1)) in (article, None):
                            break
                        candidates = None
            if not candidates and (j - i) <= 6 and len(key.replace(" ", "")) >= 6:
                fuzzy = index.fuzzy(key)
                if fuzzy:
                    candidates = index.by_key[fuzzy[0]]
                    exact = False
            if not candidates:
                continue
            commune = _pick(candidates, postcodes)
            cue = _cue_strength(text, nt, start, end, key, whole, postcodes, commune, index)
            # a typo is tolerated only when the place is clearly announced or is the whole message
            if cue is None or (not exact and cue not in ("strong", "whole", "postcode")):
                continue
            if not exact and key in index.ambiguous:
                continue
            best = CommuneMatch(commune, start, end, exact, cue)
            break
        if best:
            matches.append(best)
            while i < len(tokens) and tokens[i][1] < best.end:
                i += 1
        else:
            i += 1
    return matches


def _whole_message_key(norm: str) -> str:
    stripped = re.sub(r"[^a-z0-9' -]", " ", norm)
    stripped = _LEADING_FILLERS.sub("", stripped.strip())
    stripped = re.sub(r"\b\d{5}\b|\(\s*\d{2,3}\s*\)", " ", stripped)
    return " ".join(_canonical_token(t) for t in re.findall(r"[a-z0-9]+", stripped))


def _cue_strength(original: str, nt: NormText, start: int, end: int, key: str, whole: str,
                  postcodes: set[str], commune: Commune, index: _Index) -> str | None:
    before = nt.text[:start]
    after = nt.text[end:]
    ambiguous = key in index.ambiguous and commune.population < 20000
    if postcodes & set(commune.postcodes):
        return "postcode"
    if whole == key or whole.replace(" ", "") == key.replace(" ", ""):
        if ambiguous and not _capitalised(original, nt, start):
            return None
        return "whole"
    if _STRONG_CUE_BEFORE.search(before) and (not ambiguous or _capitalised(original, nt, start)):
        return "strong"
    if ambiguous:
        if _CUE_BEFORE.search(before) and _capitalised(original, nt, start):
            return "weak"
        return None
    if _CUE_BEFORE.search(before):
        return "weak"
    if re.match(r"\s*\(?\s*\d{2,3}\s*\)?(?!\d)", after) and re.match(r"\s*\(?\s*(\d{2,3})", after).group(1) \
            == commune.departement:
        return "postcode"
    if _capitalised(original, nt, start) and start > 0 and commune.population >= 2000:
        return "capital"
    return None


def find_commune(text: str) -> dict | None:
    """{"code", "name", "postcodes"} of the commune named in `text` (official name), or None.

    A postcode alone resolves too: to the arrondissement or the most populous commune it covers.
    """
    if not text:
        return None
    nt = normalise_with_offsets(text)
    matches = commune_matches(text, nt)
    if matches:
        best = sorted(matches, key=lambda m: (not m.exact, m.cue not in ("postcode", "whole", "strong"),
                                              -(m.end - m.start)))[0]
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
