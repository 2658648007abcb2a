"""The 33 London boroughs, the names people use for them, and places that lie in only one.

One table feeds both the NLU entity patterns (bot/spacy_pipeline.py) and the directory's place
resolution (services_directory/places.py), so the bot recognises exactly the places the
directory can search. Neighbourhoods are listed only where the whole neighbourhood sits in a
single borough; places that straddle boroughs (for example Crystal Palace) are left out so the
bot asks instead of guessing.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Borough:
    ons_code: str
    name: str
    variants: tuple[str, ...] = ()
    neighbourhoods: tuple[str, ...] = field(default=())


BOROUGHS: tuple[Borough, ...] = (
    Borough("E09000001", "City of London", ("city of london corporation", "square mile"),
            ("barbican", "moorgate")),
    Borough("E09000002", "Barking and Dagenham", ("barking & dagenham", "barking", "dagenham", "lbbd"),
            ("becontree", "chadwell heath", "marks gate")),
    Borough("E09000003", "Barnet", ("barnet council",),
            ("finchley", "hendon", "edgware", "golders green", "mill hill", "colindale", "high barnet",
             "east finchley", "whetstone")),
    Borough("E09000004", "Bexley", ("bexleyheath",),
            ("sidcup", "erith", "welling", "crayford", "belvedere", "thamesmead east", "blackfen")),
    Borough("E09000005", "Brent", (),
            ("wembley", "harlesden", "willesden", "neasden", "kingsbury", "stonebridge",
             "alperton")),
    Borough("E09000006", "Bromley", (),
            ("orpington", "beckenham", "penge", "chislehurst", "west wickham", "biggin hill",
             "petts wood")),
    Borough("E09000007", "Camden", ("camden town",),
            ("hampstead", "kentish town", "swiss cottage", "belsize park", "gospel oak",
             "west hampstead", "somers town", "bloomsbury", "st pancras")),
    Borough("E09000008", "Croydon", (),
            ("thornton heath", "norbury", "purley", "coulsdon", "south norwood", "new addington",
             "selhurst", "addiscombe", "sanderstead")),
    Borough("E09000009", "Ealing", (),
            ("acton", "southall", "hanwell", "greenford", "northolt", "perivale", "west ealing")),
    Borough("E09000010", "Enfield", (),
            ("edmonton", "ponders end", "palmers green", "southgate", "winchmore hill",
             "enfield town", "enfield lock", "bush hill park")),
    Borough("E09000011", "Greenwich", ("royal borough of greenwich",),
            ("woolwich", "eltham", "charlton", "plumstead", "abbey wood", "kidbrooke",
             "greenwich peninsula", "thamesmead west")),
    Borough("E09000012", "Hackney", (),
            ("dalston", "stoke newington", "homerton", "clapton", "hackney wick", "shoreditch",
             "hoxton", "stamford hill", "hackney central")),
    Borough("E09000013", "Hammersmith and Fulham",
            ("hammersmith & fulham", "hammersmith", "fulham", "h&f", "lbhf", "hammersmith n fulham"),
            ("shepherds bush", "shepherd's bush", "white city", "parsons green", "east acton")),
    Borough("E09000014", "Haringey", ("haringay",),
            ("tottenham", "wood green", "hornsey", "crouch end", "muswell hill", "seven sisters",
             "bruce grove", "northumberland park", "harringay")),
    Borough("E09000015", "Harrow", (),
            ("wealdstone", "pinner", "stanmore", "rayners lane", "south harrow", "harrow on the hill")),
    Borough("E09000016", "Havering", (),
            ("romford", "hornchurch", "upminster", "harold hill", "rainham", "elm park",
             "collier row")),
    Borough("E09000017", "Hillingdon", (),
            ("uxbridge", "hayes town", "ruislip", "northwood", "west drayton", "yiewsley",
             "heathrow", "ickenham")),
    Borough("E09000018", "Hounslow", (),
            ("chiswick", "brentford", "feltham", "isleworth", "osterley", "cranford",
             "hounslow west")),
    Borough("E09000019", "Islington", ("islington council",),
            ("holloway", "highbury", "archway", "canonbury",
             "barnsbury", "clerkenwell", "tufnell park", "upper holloway", "nags head")),
    Borough("E09000020", "Kensington and Chelsea",
            ("kensington & chelsea", "kensington", "chelsea", "rbkc", "k&c", "royal borough of kensington"),
            ("notting hill", "earls court", "earl's court", "north kensington", "ladbroke grove",
             "south kensington", "holland park", "world's end", "worlds end", "golborne")),
    Borough("E09000021", "Kingston upon Thames", ("kingston", "kingston-upon-thames", "kingston on thames"),
            ("surbiton", "new malden", "chessington", "tolworth", "norbiton")),
    Borough("E09000022", "Lambeth", (),
            ("brixton", "stockwell", "streatham", "vauxhall", "kennington", "waterloo",
             "west norwood", "tulse hill")),
    Borough("E09000023", "Lewisham", (),
            ("catford", "deptford", "brockley", "new cross", "sydenham", "forest hill", "hither green",
             "ladywell", "bellingham", "downham", "grove park")),
    Borough("E09000024", "Merton", (),
            ("wimbledon", "mitcham", "morden", "colliers wood", "raynes park", "south wimbledon")),
    Borough("E09000025", "Newham", (),
            ("stratford", "east ham", "west ham", "canning town", "forest gate", "plaistow",
             "beckton", "manor park", "custom house", "silvertown", "upton park")),
    Borough("E09000026", "Redbridge", (),
            ("ilford", "woodford", "wanstead", "gants hill", "barkingside", "seven kings",
             "goodmayes")),
    Borough("E09000027", "Richmond upon Thames", ("richmond", "richmond-upon-thames", "richmond on thames"),
            ("twickenham", "teddington", "kew", "barnes", "hampton", "whitton", "east sheen", "mortlake")),
    Borough("E09000028", "Southwark", (),
            ("peckham", "camberwell", "bermondsey", "walworth", "elephant and castle",
             "elephant & castle", "dulwich", "east dulwich", "rotherhithe", "nunhead",
             "surrey quays", "old kent road")),
    Borough("E09000029", "Sutton", (),
            ("cheam", "carshalton", "wallington", "worcester park", "hackbridge")),
    Borough("E09000030", "Tower Hamlets", ("tower hamlets council",),
            ("whitechapel", "bethnal green", "poplar", "stepney", "limehouse", "mile end",
             "canary wharf", "isle of dogs", "wapping", "shadwell", "spitalfields")),
    Borough("E09000031", "Waltham Forest", (),
            ("walthamstow", "leyton", "leytonstone", "chingford", "highams park")),
    Borough("E09000032", "Wandsworth", (),
            ("battersea", "putney", "tooting", "balham", "earlsfield", "roehampton",
             "southfields", "nine elms")),
    Borough("E09000033", "Westminster", ("city of westminster",),
            ("soho", "mayfair", "marylebone", "paddington", "pimlico", "maida vale",
             "bayswater", "st john's wood", "st johns wood", "covent garden", "westbourne")),
)

BOROUGH_BY_CODE: dict[str, Borough] = {b.ons_code: b for b in BOROUGHS}


def all_place_names() -> dict[str, str]:
    """Every lower-case name a person might use, mapped to its borough's ONS code."""
    names: dict[str, str] = {}
    for borough in BOROUGHS:
        for name in (borough.name, *borough.variants, *borough.neighbourhoods):
            names.setdefault(name.lower(), borough.ons_code)
    return names


# Places people name that are outside London: recognised so the bot can say it only knows
# London's local services and offer the national lines, instead of failing to understand.
OUTSIDE_LONDON_PLACES: tuple[str, ...] = (
    "birmingham", "manchester", "leeds", "liverpool", "bristol", "sheffield", "newcastle",
    "nottingham", "leicester", "coventry", "bradford", "brighton", "oxford", "cambridge",
    "reading", "luton", "slough", "watford", "milton keynes", "southampton", "portsmouth",
    "kent", "essex", "surrey", "hertfordshire", "berkshire", "sussex", "dartford", "gravesend",
    "basildon", "chelmsford", "guildford", "wales", "scotland", "cardiff", "glasgow",
    "edinburgh", "belfast", "northern ireland",
)
