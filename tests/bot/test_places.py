"""Communes and postcodes in messages (nlu/parsing/places.py) and the word lists that protect
ordinary French (nlu/parsing/wordlists.py). Needs var/data/communes.json (`make data`): nothing
here is skipped."""
import json
import random
import time

import pytest

from nlu.parsing import places, wordlists
from nlu.parsing.text import normalise_with_offsets, strip_accents

TERRITORY_CODES = sorted(places.territory_codes())


def mentions(text):
    return places.commune_mentions(text, normalise_with_offsets(text))


def only(text):
    found = mentions(text)
    assert len(found) == 1, (text, found)
    return found[0]


def settled_code(text):
    found = only(text)
    assert "candidates" not in found.extra, (text, found.extra["candidates"])
    return found.extra["code"]


# --- every commune of every territory -----------------------------------------------------------

def _abbreviated(name):
    out = name.replace("Sainte-", "Ste-").replace("Saint-", "St-").replace("-sur-", " s/ ")
    out = out.replace("-sous-", " ss ").replace("-lès-", " les ")
    return strip_accents(out.replace("-", " ")).lower()


def _typos(name):
    """One typo (and two on a word of 8 letters or more) that is neither a French word nor a word of
    another commune: a letter dropped, or two letters swapped, in the longest word."""
    index = places._index()
    tokens = places.name_key(name).split()
    word = max(tokens, key=len)
    if len(word) < 5:
        return []
    at = tokens.index(word)

    def usable(variant):
        """Typed as such (no letter three times), not a word, and nearer to this name than to others."""
        if variant in index.vocabulary or variant in index.typo_blocklist or places.fold(variant) != variant:
            return False
        near = index.near(variant)
        return bool(near) and [w for w, e in near if e == near[0][1]] == [word]

    out = []
    for pos in [*range(len(word) // 2, len(word) - 1), *range(1, len(word) // 2)]:
        dropped = word[:pos] + word[pos + 1:]
        swapped = word[:pos] + word[pos + 1] + word[pos] + word[pos + 2:]
        for variant in (dropped, swapped):
            if variant != word and usable(variant) and not any(v == variant for v in out):
                out.append(variant)
        if len(out) >= 2:
            break
    if len(word) >= 8:
        two = word[:2] + word[3:]                           # a letter dropped ...
        two = two[:-3] + two[-2] + two[-3] + two[-1]        # ... and two swapped
        if usable(two):
            out.append(two)
    return [" ".join(tokens[:at] + [variant] + tokens[at + 1:]) for variant in out]


def _forms(name):
    lower = name.lower()
    plain = strip_accents(lower)
    forms = [lower, plain, plain.replace("-", " "), _abbreviated(name), plain.replace("-", "")]
    if "arrondissement" in plain:
        number = plain.split()[1].rstrip("er").rstrip("e")
        city = plain.split()[0]
        forms += [f"{city} {number}", f"{city} {number}eme", f"{city} {number}e"]
    return list(dict.fromkeys(forms))


def test_the_territories_list_communes_of_the_official_list():
    assert len(TERRITORY_CODES) >= 40
    for code in TERRITORY_CODES:
        assert places.commune_by_code(code) is not None, code


@pytest.mark.parametrize("code", TERRITORY_CODES)
def test_every_territory_commune_alone_in_every_form(code):
    name = places.commune_by_code(code)["name"]
    for form in [name, *_forms(name), *_typos(name)]:
        assert settled_code(form) == code, form


@pytest.mark.parametrize("code", TERRITORY_CODES)
def test_every_territory_commune_in_sentences(code):
    commune = places.commune_by_code(code)
    name = commune["name"]
    plain = strip_accents(name.lower())
    typos = _typos(name)
    sentences = [
        f"j'habite a {plain} depuis 3 ans",
        f"on vit sur {_abbreviated(name)} avec les enfants",
        f"Bonjour, je suis à {name}, j'ai 2 enfants",
        f"{plain} {commune['postcodes'][0]}",
        f"jhabite {plain.replace('-', ' ')}",
        f"ma ville c'est {plain}",
    ] + [f"j'habite a {typo} depuis 3 ans" for typo in typos]
    for sentence in sentences:
        assert settled_code(sentence) == code, sentence


# --- what residents tried -----------------------------------------------------------------------

@pytest.mark.parametrize("text, code", [
    ("saint max", "54482"), ("st max", "54482"), ("St-Max", "54482"), ("saintmax", "54482"),
    ("on vit sur saint max", "54482"), ("vandoeuvre", "54547"), ("Vandœuvre", "54547"),
    ("j'habite a vandoeuvre depuis 3 ans", "54547"), ("vandoevre", "54547"), ("vandeouvre", "54547"),
    ("Baccarat", "54039"), ("baccarat", "54039"), ("j'habite à baccarat", "54039"),
    ("je suis a baccarat", "54039"), ("mont saint martin", "54382"), ("Mont-Saint-Martin", "54382"),
    ("j'habite a mont saint martin", "54382"), ("Blâmont", "54077"), ("blamont", "54077"),
    ("essey", "54184"), ("cirey s/ vezouze", "54129"), ("cirey", "54129"), ("moncel", "54373"),
    ("vaulx en velain", "69256"), ("j habite a vaulx-en-velain", "69256"), ("vaulxen velin", "69256"),
    ("nancy", "54395"), ("Nancy 54000", "54395"), ("j'habite a la rochele", "17300"),
    ("longlville", "54321"), ("montnoy", "54376"), ("saunes", "54493"),
    ("nancy, 2 enfants", "54395"), ("lyon 3eme et 2 enfants", "69383"),
    ("je suis locataire a nancy", "54395"),
    ("ville : thil", "54521"), ("commune: Gorcy", "54234"), ("on est sur le secteur de luneville", "54329"),
])
def test_what_residents_typed(text, code):
    assert settled_code(text) == code


def test_a_typo_as_near_to_two_towns_asks_back():
    found = only("mazeville")    # Malzéville or Maxéville
    assert {"54339", "54357"} <= {c["code"] for c in found.extra["candidates"]}


# --- Paris, Lyon, Marseille ---------------------------------------------------------------------

@pytest.mark.parametrize("text, city, count", [
    ("lyon", "69123", 9), ("Lyon", "69123", 9), ("j'habite à Paris", "75056", 20), ("paris", "75056", 20),
    ("marseille", "13055", 16), ("j habite a lyon, 3 enfants", "69123", 9),
    ("j'habite à lyon 3 enfants", "69123", 9), ("on est sur lyon depuis 2 ans", "69123", 9),
])
def test_a_city_without_its_arrondissement_lists_them(text, city, count):
    found = only(text)
    assert found.extra["code"] == city and "candidates" not in found.extra
    arrondissements = found.extra["arrondissements"]
    assert len(arrondissements) == count
    assert all(set(a) == {"code", "name"} for a in arrondissements)
    assert arrondissements[0]["code"] == {"69123": "69381", "75056": "75101", "13055": "13201"}[city]


@pytest.mark.parametrize("text, code", [
    ("lyon 7", "69387"), ("lyon 7eme", "69387"), ("Lyon 7ème", "69387"), ("lyon 7e", "69387"),
    ("Lyon 7e arrondissement", "69387"), ("7eme arrondissement de lyon", "69387"), ("lyon7", "69387"),
    ("paris 15e", "75115"), ("paris 15eme", "75115"), ("marseille 13", "13213"), ("marseille 1er", "13201"),
    ("69007", "69387"), ("13013", "13213"), ("75015", "75115"), ("j'habite à Lyon 69007", "69387"),
])
def test_an_arrondissement_is_given_directly(text, code):
    found = only(text)
    assert found.extra == {"code": code}


# --- homonyms -----------------------------------------------------------------------------------

@pytest.fixture
def no_territories(tmp_path, monkeypatch):
    monkeypatch.setenv("TERRITORIES_DIR", str(tmp_path))
    places.reset_cache()
    yield tmp_path
    monkeypatch.delenv("TERRITORIES_DIR")
    places.reset_cache()


def test_homonyms_are_candidates_when_nothing_decides(no_territories):
    found = only("Blamont")
    assert found.value == "Blamont" and found.extra["code"] == "25063"   # the most populous
    assert found.extra["candidates"] == [
        {"code": "25063", "name": "Blamont", "departement": "25"},
        {"code": "54077", "name": "Blâmont", "departement": "54"}]


@pytest.mark.parametrize("text, code", [
    ("Blâmont", "54077"),                        # the accent
    ("blamont (25)", "25063"), ("Blamont 25", "25063"), ("Blamont dans le Doubs", "25063"),
    ("j'habite a blamont, dans le doubs", "25063"), ("Blamont, Meurthe-et-Moselle", "54077"),
    ("blamont 54450", "54077"), ("blamont 54", "54077"), ("Blamont en Meurthe et Moselle", "54077"),
    ("Blamont Doubs", "25063"),
])
def test_a_departement_a_postcode_or_an_accent_decides(no_territories, text, code):
    assert settled_code(text) == code


def test_the_territories_decide_between_homonyms(no_territories):
    territory = 'id: doubs\ncommunes:\n  - "25063"  # Blamont\n'
    (no_territories / "doubs.yml").write_text(territory, encoding="utf-8")
    places.reset_cache()
    assert settled_code("blamont") == "25063"
    assert settled_code("Blâmont") == "54077"     # the accent is read before the territories


@pytest.mark.parametrize("text", ["j'habite a blamont, j'ai 25 ans",
                                  "j'habite a blamont, mes enfants ont 25 et 12 ans"])
def test_an_age_is_not_a_departement(no_territories, text):
    found = only(text)
    assert len(found.extra["candidates"]) == 2


@pytest.mark.parametrize("text, code, candidates", [
    ("Saint-Denis", "97411", {"97411", "93066", "11339", "30247"}),
    ("j'habite à saint denis", "97411", {"97411", "93066", "11339", "30247"}),
    ("vendeuvre", "10401", {"10401", "14735"}),
    ("villers", "54578", {"42333", "88507", "54578", "02810"}),  # Villers, Villers-lès-Nancy...
    ("vendoeuvre", "54547", {"54547", "10401", "36232", "14735"}),   # a typo of four names
])
def test_real_doubt_asks_back(text, code, candidates):
    found = only(text)
    assert found.extra["code"] == code
    assert candidates <= {c["code"] for c in found.extra["candidates"]}
    assert all(set(c) == {"code", "name", "departement"} for c in found.extra["candidates"])


@pytest.mark.parametrize("text, code", [
    ("Saint-Denis 93", "93066"), ("saint denis (93)", "93066"), ("saint denis 93200", "93066"),
    ("j'habite à Saint-Denis en Seine-Saint-Denis", "93066"), ("saint denis dans la reunion", "97411"),
    ("Saint-Denis 974", "97411"), ("montreuil 93", "93048"), ("Valence 26", "26362"), ("bagneux 92", "92007"),
    ("tours", "37261"),
])
def test_a_city_far_bigger_than_its_homonyms_or_a_departement_settles(text, code):
    assert settled_code(text) == code


@pytest.mark.parametrize("text", ["bagneux", "montreuil", "valence"])
def test_a_city_with_real_homonyms_is_asked_back_with_its_departement(text):
    """Bagneux (92) has 80 times the people of Bagneux (51): a person of the small one would get the
    housing aid of the Paris area. The issue: « else asked back with the department »."""
    found = only(f"j'habite à {text}")
    assert len(found.extra["candidates"]) >= 2

def _communes_file(tmp_path, monkeypatch, populations):
    rows = [{"code": f"99{i:03d}", "name": "Bourg-Test", "postcodes": [f"12{i:03d}"], "population": p,
             "departement": "12", "parent": None} for i, p in enumerate(populations)]
    path = tmp_path / "communes.json"
    path.write_text(json.dumps({"source": "test", "communes": rows}), encoding="utf-8")
    monkeypatch.setenv("COMMUNES_FILE", str(path))
    monkeypatch.setenv("TERRITORIES_DIR", str(tmp_path))
    places.reset_cache()


@pytest.mark.parametrize("populations, settled", [
    ([50000], True), ([50000, 10], True), ([20000, 60, 40], True), ([20000, 60, 41], False), ([10000, 600, 400], False),
    ([1200, 1000], False), ([300, 20], False), ([3000, 10], True), ([0, 0], False),
])
def test_the_most_populous_wins_with_200_times_the_others_together(tmp_path, monkeypatch, populations,
                                                                    settled):
    _communes_file(tmp_path, monkeypatch, populations)
    try:
        found = only("j'habite à bourg test")
        assert found.extra["code"] == "99000"
        assert ("candidates" not in found.extra) == settled
    finally:
        monkeypatch.delenv("COMMUNES_FILE")
        places.reset_cache()


# --- the API ------------------------------------------------------------------------------------

def test_mention_span_is_in_the_normalised_text():
    text = "Bonjour, chui à Vandœuvre-lès-Nancy depuis 3 ans"
    nt = normalise_with_offsets(text)
    (found,) = places.commune_mentions(text, nt)
    assert found.entity == "commune" and found.value == "Vandœuvre-lès-Nancy"
    assert nt.text[found.start:found.end] == "vandoeuvre-les-nancy"
    assert found.extra == {"code": "54547"}


def test_a_postcode_alone_gives_its_communes():
    assert only("54000").extra == {"code": "54395"}
    found = only("mon code postal c'est 54450")
    assert found.value == "Blâmont" and len(found.extra["candidates"]) > 5
    assert mentions("Nancy 54000")[0].extra == {"code": "54395"} and len(mentions("Nancy 54000")) == 1


def test_commune_by_code():
    assert places.commune_by_code("54395") == {"code": "54395", "name": "Nancy",
                                               "postcodes": ["54000", "54100"], "departement": "54"}
    assert places.commune_by_code("69387")["name"] == "Lyon 7e Arrondissement"
    assert places.commune_by_code("2a004")["departement"] == "2A"
    assert places.commune_by_code("99999") is None and places.commune_by_code("") is None


def test_the_former_api_still_answers():
    assert places.find_commune("j'habite à saint denis 93")["code"] == "93066"
    assert places.find_commune("lyon")["code"] == "69123"
    assert places.find_commune("Blâmont")["code"] == "54077"
    assert places.find_postcode("j'habite au 93200 saint denis") == "93200"
    assert [m.commune.code for m in places.commune_matches("je vis à Nancy")] == ["54395"]
    assert places.departement_name("54") == "Meurthe-et-Moselle"


# --- ordinary French is not a town --------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "je sais pas", "jsp", "chais pas", "je ne sais pas", "aucune idée",
    "je suis seule avec mes enfants", "je loue un appartement", "mon mari est au chômage",
    "j'ai 2 enfants de 4 et 9 ans", "je touche 900 de chômage", "je travaille à mi-temps",
    "on est en couple", "je vis chez ma mère", "je suis en foyer", "aide-soignante", "je suis aide soignante",
    "je suis a la rue", "je vis dans la rue", "j'habite a grand", "je suis grand", "je fais des tours",
    "je suis à l'hôpital", "je vis seule", "j'habite en face de la mairie", "j'habite dans un hlm",
    "je vis en colocation", "on vit a 4 dans un studio", "je suis au rsa", "je vais a la caf",
    "je paye 450 de loyer", "de toute facon j ai droit a rien", "oui", "non", "merci", "y", "eu",
    "je suis en arrêt maladie", "je suis à la retraite", "je suis en cdd", "je cherche du travail",
    "j'ai pas de voiture", "ma fille a 3 ans", "je suis enceinte de 5 mois", "mon ex ne paye pas la pension",
    "je vis chez mon copain", "je suis hébergée par une amie", "on vit dans une caravane",
    "c'est la galère", "je suis au smic", "je touche l'aah", "je suis en invalidité",
    "on vit sur le salaire de mon mari",
    "j'habite en haut", "je vis a la campagne", "je vis en ville", "je loue une maison", "bonne journée",
    "je suis à temps partiel", "je suis en intérim", "je suis sans emploi", "je vis de mes économies",
    "je suis marié", "je suis marie", "marié", "mariés, 2 enfants", "hello", "je suis pacsé", "je suis veuve",
    "Alex et moi on est en couple", "j'habite en france depuis 2 ans", "je vis a deux avec ma fille",
    "on habite a cote", "j'habite pas loin", "je suis de passage", "je viens de perdre mon travail",
    "on est a la rue", "je suis a la recherche d'un emploi", "je suis a bout", "j'habite chez mes parents",
    "j'habite au 3eme etage", "dans le 93", "j'habite en banlieue", "je suis en region parisienne",
    "j'habite la", "j'habite ici", "c'est la vie", "a demain", "je suis dispo lundi",
    "je travaille a la mairie",
    "mon fils est au lycee", "je vis en ehpad", "j'habite a la cite", "je suis sur la liste d'attente",
])
def test_ordinary_sentences_name_no_town(text):
    assert mentions(text) == [], text


# --- word lists ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def french_words():
    return wordlists.FrenchWords()


def test_the_committed_word_lists_are_what_make_wordlists_builds(french_words):
    built = wordlists.build(places.communes_file(), french_words)
    assert set(built) == {places.COMMON_FILE, places.AMBIGUOUS_FILE, places.TYPO_BLOCKLIST_FILE}
    for name, content in built.items():
        committed = (places.DATA_DIR / name).read_text(encoding="utf-8")
        assert committed == content, f"{name} is out of date: run `make wordlists`"


def test_the_word_lists_hold_what_they_should():
    common = places.load_word_list(places.COMMON_FILE)
    ambiguous = places.load_word_list(places.AMBIGUOUS_FILE)
    blocked = places.load_word_list(places.TYPO_BLOCKLIST_FILE)
    assert {"rue", "grand", "y", "eu", "la marche"} <= common
    assert {"baccarat", "bar le duc"} <= ambiguous
    assert not {"saint max", "mont saint martin", "nancy", "vandoeuvre", "lyon"} & (common | ambiguous)
    assert {"demain", "coucou"} <= blocked and "vandoevre" not in blocked


def test_the_bulk_typo_search_agrees_with_the_one_used_on_messages():
    index = places._index()
    near = places.NearWords(index.vocabulary)
    rng = random.Random(7)
    vocabulary = sorted(index.vocabulary)
    words = sorted(index.typo_blocklist)[::97]
    for word in rng.sample(vocabulary, 300):
        i = rng.randrange(len(word))
        words += [word[:i] + word[i + 1:], word[:i] + "e" + word[i:], word[:i] + word[i:][::-1][:2][::-1]
                  + word[i + 2:], word[:1] + word[2:4][::-1] + word[4:6] + word[7:]]
    words = sorted({w for w in words if len(w) >= 4 and w not in index.vocabulary})
    assert wordlists.near_vocabulary(words, index.vocabulary) == {w for w in words if near.near(w)}


def test_edit_distance():
    assert places.edit_distance("vandoevre", "vandoeuvre", 2) == 1
    assert places.edit_distance("vandeouvre", "vandoeuvre", 2) == 1   # a swap
    assert places.edit_distance("vendoevre", "vandoeuvre", 2) == 2
    assert places.edit_distance("nancy", "paris", 2) == 3


# --- speed --------------------------------------------------------------------------------------

def test_reading_a_message_takes_well_under_a_millisecond_or_two():
    places._index()
    base = ["j'ai 35 ans", "je suis seule avec 2 enfants", "je loue un appartement 550 euros",
            "mon mari est au chômage il touche 900", "j'habite à Vandoeuvre", "on vit sur saint max",
            "je travaille à mi-temps au smic", "lyon 7", "54000", "je sais pas", "oui", "Blâmont",
            "je suis aide-soignante en cdd, 1300 net par mois", "on est en couple, mariés, 3 enfants",
            "j'habite a nancy depuis 3 ans et je cherche du travail", "ma fille a 4 ans et mon fils 9"]
    rng = random.Random(3)
    messages = [f"{rng.choice(base)} {rng.choice(base)}" if i % 3 else rng.choice(base) for i in range(400)]
    start = time.perf_counter()
    for message in messages:
        mentions(message)
    per_message = (time.perf_counter() - start) / len(messages)
    print(f"\ncommune_mentions: {per_message * 1000:.2f} ms per message ({len(messages)} messages)")
    assert per_message < 0.005
