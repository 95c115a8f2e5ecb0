//! The time zone a client's postal address names, for the outbound dialler
//! when the phone number does not tell it ([`super::zones`] gives `None` for
//! the mobile numbers of countries that span several zones, which carry no
//! area).
//!
//! Addresses are free text as typed or imported, in any order and with any
//! punctuation, so the text is read as words rather than as fields: the names
//! of cities and regions of the countries that span several zones (Russia,
//! Kazakhstan, the United States, Canada, Australia, Brazil, Mexico,
//! Indonesia), and the postal abbreviation of a state or province at the end
//! ("Austin, TX 78701", "Perth WA 6000", "São Paulo - SP"). Countries of one
//! zone are left out: their numbers tell the zone.
//!
//! Limits:
//! - Only the places in the tables: big cities, capitals and regions, not
//!   towns. A region maps to the zone where most of its people live, as
//!   `zones` maps an area code (Texas is Central, though El Paso is not).
//! - A city name shared by big places in different zones of one country
//!   (Portland, Aurora, Arlington) is left out. A namesake in another country
//!   (St. Petersburg, Florida; Sydney, Nova Scotia) is told apart only when
//!   the address names its state, province or country.
//! - Names match in the spellings listed: Latin ones with their common
//!   variants, Russian ones also in Cyrillic. Adjectival region names
//!   ("Новосибирская область") mostly do not; the capital is usually named.
//! - When the address leaves a doubt (an abbreviation used by two countries
//!   and no postal code or city to choose, a place abroad) it gives `None`
//!   rather than guess, and the caller keeps the campaign's zone.
//!
//! Every zone is a `Tz` constant, so a misspelt zone does not compile.

use std::collections::HashMap;
use std::sync::LazyLock;

use chrono_tz::Tz;

const EASTERN: Tz = Tz::America__New_York;
const CENTRAL: Tz = Tz::America__Chicago;
const MOUNTAIN: Tz = Tz::America__Denver;
const ARIZONA: Tz = Tz::America__Phoenix;
const PACIFIC: Tz = Tz::America__Los_Angeles;
const MOSCOW: Tz = Tz::Europe__Moscow;
const YEKATERINBURG: Tz = Tz::Asia__Yekaterinburg;
const VLADIVOSTOK: Tz = Tz::Asia__Vladivostok;
const ALMATY: Tz = Tz::Asia__Almaty;
const SAO_PAULO: Tz = Tz::America__Sao_Paulo;
const FORTALEZA: Tz = Tz::America__Fortaleza;
const MEXICO_CITY: Tz = Tz::America__Mexico_City;
const MONTERREY: Tz = Tz::America__Monterrey;
const MAZATLAN: Tz = Tz::America__Mazatlan;
const TORONTO: Tz = Tz::America__Toronto;
const WIB: Tz = Tz::Asia__Jakarta;
const WITA: Tz = Tz::Asia__Makassar;
const WIT: Tz = Tz::Asia__Jayapura;

/// The time zone of the place a free-text address names, if it names one
/// this module knows and the text leaves no doubt.
///
/// The rules, in order:
/// 1. The text is read as words: lowercase, accents and apostrophes dropped,
///    dotted initials joined ("B.C." is "bc"), "Saint" read as "St". Commas,
///    semicolons, slashes, brackets, line breaks and dashes with a space
///    beside them split it into segments; a name never spans two.
/// 2. Names match whole words, the longest name first ("Nizhny Novgorod"
///    before "Novgorod", "New Mexico" before "Mexico"), so "Omsk" does not
///    match "Tomsk" nor "Perth" "Perthshire". A name next to a street word
///    ("Victoria St", "Rua Manaus", "ul. Moskva") names a street, not a place.
/// 3. A country named as a segment of its own or at the end of the text, or
///    by its ISO code at the end, keeps only its own places; one abroad
///    ("Perth, Scotland") keeps none.
/// 4. A postal abbreviation of a state or province counts only at the end:
///    before a postal code ("Sydney NSW 2000", whose shape picks the country:
///    US 5 digits, Australia 4, Canada "A1A 1A1", Brazil "01310-100"), or as
///    a segment of its own after a comma or dash ("Austin, TX"). Without a
///    code it may mean several countries ("WA": Washington, Western
///    Australia) or be a country's ISO code ("IN": India).
/// 5. A region's full name counts when it ends its segment ("Sydney, Nova
///    Scotia"), and narrows an abbreviation that several countries use.
/// 6. The answer is the last-named city that agrees with the state or
///    province named, if any: addresses run from street to country (and
///    Russian ones from country to street, where streets are rarely named
///    after cities in the nominative), so a street named after a city comes
///    before the city, and the city is the most specific place. Failing a
///    city, the state or province; if the abbreviation still means several
///    zones, `None`.
pub fn time_zone_of_address(text: &str) -> Option<Tz> {
    let dictionary = &*DICTIONARY;
    let words = words(text);
    let found = dictionary.find(&words);

    // Countries named as a segment of their own, anywhere ("Россия, ...").
    let mut named: Vec<Country> = found
        .iter()
        .filter(|f| f.place.kind == Kind::Nation && whole_segment(&words, f))
        .map(|f| f.place.country)
        .collect();
    // Countries at the end are cut off, so that a postal abbreviation before
    // them ("Austin, TX 78701, USA") ends what is left.
    let mut end = words.len();
    loop {
        if let Some(f) = found
            .iter()
            .find(|f| f.end == end && f.place.kind == Kind::Nation && !is_street(&words[..end], f))
        {
            named.push(f.place.country);
            end = f.start;
        } else if let Some(country) = dictionary.trailing_country_code(&words[..end]) {
            named.push(country);
            end -= 1;
        } else {
            break;
        }
    }
    let words = &words[..end];
    let found: Vec<&Found> = found.iter().filter(|f| f.end <= end).collect();

    let mut postal = dictionary.postal_abbreviation(words);
    // An ISO code alone ("Moscow, RU") names a country, not a region.
    if let Some(candidates) = &postal
        && candidates.iter().all(|(_, zone)| zone.is_none())
    {
        named.extend(candidates.iter().map(|(country, _)| *country));
        postal = None;
    }
    let allowed = |country: Country| named.is_empty() || named.contains(&country);
    let postal = postal
        .map(|candidates| {
            candidates
                .into_iter()
                .filter(|(country, _)| allowed(*country))
                .collect::<Vec<_>>()
        })
        .filter(|candidates| !candidates.is_empty());
    let region = found.iter().rev().find(|f| {
        f.place.kind == Kind::Region
            && allowed(f.place.country)
            && !is_street(words, f)
            && ends_its_segment(words, f, dictionary)
    });

    // The state or province: the postal abbreviation, narrowed by a region
    // named in full if that is one of its countries, or else that region.
    let anchor: Vec<Candidate> = match (postal, region) {
        (Some(postal), Some(region)) if postal.iter().any(|(c, _)| *c == region.place.country) => {
            postal
                .into_iter()
                .filter(|(country, _)| *country == region.place.country)
                .map(|(country, zone)| (country, zone.or(region.place.zone)))
                .collect()
        }
        (Some(postal), _) => postal,
        (None, Some(region)) => vec![(region.place.country, region.place.zone)],
        (None, None) => Vec::new(),
    };

    let city = found.iter().rev().find(|f| {
        f.place.kind == Kind::City
            && allowed(f.place.country)
            && !is_street(words, f)
            && (anchor.is_empty() || anchor.iter().any(|(c, _)| *c == f.place.country))
    });
    if let Some(city) = city {
        return city.place.zone;
    }
    let (&(_, zone), others) = anchor.split_first()?;
    others
        .iter()
        .all(|(_, other)| *other == zone)
        .then_some(zone)
        .flatten()
}

/// A country whose places the tables name. Which ones span several zones is
/// why they are here; [`Country::Elsewhere`] stands for all the others.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Country {
    Russia,
    Kazakhstan,
    UnitedStates,
    Canada,
    Australia,
    Brazil,
    Mexico,
    Indonesia,
    /// A country of one zone, or a place abroad that shares a name with one
    /// of ours: an address there gives `None`.
    Elsewhere,
}

/// The forms of postal code that tell whose abbreviation precedes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PostalCode {
    /// Australia: "2000".
    FourDigits,
    /// United States (ZIP) and Mexico: "78701".
    FiveDigits,
    /// United States: "78701-1234".
    ZipPlusFour,
    /// Brazil (CEP): "01310-100" or "01310100".
    Cep,
    /// Canada: "M5V 2T6" or "M5V2T6".
    Canadian,
}

/// The places of one country that an address may name.
struct Gazetteer {
    country: Country,
    /// ISO 3166 code, which some addresses end with.
    iso: &'static str,
    /// The country's own names.
    names: &'static [&'static str],
    /// The postal code forms that may follow its abbreviations.
    codes: &'static [PostalCode],
    cities: &'static [(&'static str, Tz)],
    /// States, provinces, oblasts, islands: named in full.
    regions: &'static [(&'static str, Tz)],
    /// Postal abbreviations of the regions, taken only at the end of the text.
    postal: &'static [(&'static str, Tz)],
}

static GAZETTEERS: [Gazetteer; 8] = [
    Gazetteer {
        country: Country::Russia,
        iso: "ru",
        names: &[
            "Russia",
            "Russian Federation",
            "Rossiya",
            "Россия",
            "Российская Федерация",
            "РФ",
        ],
        codes: &[],
        cities: RUSSIA_CITIES,
        regions: RUSSIA_REGIONS,
        postal: &[],
    },
    Gazetteer {
        country: Country::Kazakhstan,
        iso: "kz",
        names: &["Kazakhstan", "Qazaqstan", "Казахстан", "Қазақстан"],
        codes: &[],
        cities: KAZAKHSTAN_CITIES,
        regions: &[],
        postal: &[],
    },
    Gazetteer {
        country: Country::UnitedStates,
        iso: "us",
        names: &[
            "United States",
            "United States of America",
            "USA",
            "Estados Unidos",
            "EEUU",
        ],
        codes: &[PostalCode::FiveDigits, PostalCode::ZipPlusFour],
        cities: US_CITIES,
        regions: US_STATES,
        postal: US_POSTAL,
    },
    Gazetteer {
        country: Country::Canada,
        iso: "ca",
        names: &["Canada"],
        codes: &[PostalCode::Canadian],
        cities: CANADA_CITIES,
        regions: CANADA_PROVINCES,
        postal: CANADA_POSTAL,
    },
    Gazetteer {
        country: Country::Australia,
        iso: "au",
        names: &["Australia"],
        codes: &[PostalCode::FourDigits],
        cities: AUSTRALIA_CITIES,
        regions: AUSTRALIA_STATES,
        postal: AUSTRALIA_POSTAL,
    },
    Gazetteer {
        country: Country::Brazil,
        iso: "br",
        names: &["Brazil", "Brasil"],
        codes: &[PostalCode::Cep],
        cities: BRAZIL_CITIES,
        regions: BRAZIL_STATES,
        postal: BRAZIL_POSTAL,
    },
    Gazetteer {
        country: Country::Mexico,
        iso: "mx",
        names: &["Mexico", "Estados Unidos Mexicanos"],
        codes: &[PostalCode::FiveDigits],
        cities: MEXICO_CITIES,
        regions: MEXICO_STATES,
        postal: MEXICO_POSTAL,
    },
    Gazetteer {
        country: Country::Indonesia,
        iso: "id",
        names: &["Indonesia"],
        codes: &[],
        cities: INDONESIA_CITIES,
        regions: INDONESIA_REGIONS,
        postal: &[],
    },
];

// ---- Russia: eleven zones. Cities by zone, west to east; the Moscow-time
// list is the longest because most Russians live there. ----
const RUSSIA_CITIES: &[(&str, Tz)] = &[
    // Kaliningrad (UTC+2)
    ("Kaliningrad", Tz::Europe__Kaliningrad),
    ("Калининград", Tz::Europe__Kaliningrad),
    // Moscow time (UTC+3): the centre, the north-west, the south, the
    // Caucasus and the Volga's west.
    ("Moscow", MOSCOW),
    ("Moskva", MOSCOW),
    ("Москва", MOSCOW),
    ("Saint Petersburg", MOSCOW),
    ("Sankt-Peterburg", MOSCOW),
    ("Санкт-Петербург", MOSCOW),
    ("Петербург", MOSCOW),
    ("SPb", MOSCOW),
    ("Kazan", MOSCOW),
    ("Казань", MOSCOW),
    ("Nizhny Novgorod", MOSCOW),
    ("Nizhniy Novgorod", MOSCOW),
    ("Нижний Новгород", MOSCOW),
    ("Rostov-on-Don", MOSCOW),
    ("Rostov-na-Donu", MOSCOW),
    ("Ростов-на-Дону", MOSCOW),
    ("Krasnodar", MOSCOW),
    ("Краснодар", MOSCOW),
    ("Sochi", MOSCOW),
    ("Сочи", MOSCOW),
    ("Novorossiysk", MOSCOW),
    ("Новороссийск", MOSCOW),
    ("Voronezh", MOSCOW),
    ("Воронеж", MOSCOW),
    ("Murmansk", MOSCOW),
    ("Мурманск", MOSCOW),
    ("Arkhangelsk", MOSCOW),
    ("Архангельск", MOSCOW),
    ("Yaroslavl", MOSCOW),
    ("Ярославль", MOSCOW),
    ("Tula", MOSCOW),
    ("Тула", MOSCOW),
    ("Ryazan", MOSCOW),
    ("Рязань", MOSCOW),
    ("Lipetsk", MOSCOW),
    ("Липецк", MOSCOW),
    ("Penza", MOSCOW),
    ("Пенза", MOSCOW),
    ("Cheboksary", MOSCOW),
    ("Чебоксары", MOSCOW),
    ("Makhachkala", MOSCOW),
    ("Махачкала", MOSCOW),
    ("Stavropol", MOSCOW),
    ("Ставрополь", MOSCOW),
    ("Bryansk", MOSCOW),
    ("Брянск", MOSCOW),
    ("Ivanovo", MOSCOW),
    ("Иваново", MOSCOW),
    ("Tver", MOSCOW),
    ("Тверь", MOSCOW),
    ("Belgorod", MOSCOW),
    ("Белгород", MOSCOW),
    ("Kursk", MOSCOW),
    ("Курск", MOSCOW),
    ("Smolensk", MOSCOW),
    ("Смоленск", MOSCOW),
    ("Kaluga", MOSCOW),
    ("Калуга", MOSCOW),
    ("Oryol", MOSCOW),
    ("Orel", MOSCOW),
    ("Орёл", MOSCOW),
    ("Tambov", MOSCOW),
    ("Тамбов", MOSCOW),
    ("Kostroma", MOSCOW),
    ("Кострома", MOSCOW),
    ("Vologda", MOSCOW),
    ("Вологда", MOSCOW),
    ("Cherepovets", MOSCOW),
    ("Череповец", MOSCOW),
    ("Petrozavodsk", MOSCOW),
    ("Петрозаводск", MOSCOW),
    ("Syktyvkar", MOSCOW),
    ("Сыктывкар", MOSCOW),
    ("Veliky Novgorod", MOSCOW),
    ("Великий Новгород", MOSCOW),
    ("Pskov", MOSCOW),
    ("Псков", MOSCOW),
    ("Yoshkar-Ola", MOSCOW),
    ("Йошкар-Ола", MOSCOW),
    ("Saransk", MOSCOW),
    ("Саранск", MOSCOW),
    ("Naberezhnye Chelny", MOSCOW),
    ("Набережные Челны", MOSCOW),
    ("Grozny", MOSCOW),
    ("Грозный", MOSCOW),
    ("Vladikavkaz", MOSCOW),
    ("Владикавказ", MOSCOW),
    ("Nalchik", MOSCOW),
    ("Нальчик", MOSCOW),
    ("Maykop", MOSCOW),
    ("Майкоп", MOSCOW),
    ("Cherkessk", MOSCOW),
    ("Черкесск", MOSCOW),
    ("Elista", MOSCOW),
    ("Элиста", MOSCOW),
    ("Naryan-Mar", MOSCOW),
    ("Нарьян-Мар", MOSCOW),
    ("Kirov", Tz::Europe__Kirov),
    ("Киров", Tz::Europe__Kirov),
    ("Volgograd", Tz::Europe__Volgograd),
    ("Волгоград", Tz::Europe__Volgograd),
    ("Volzhsky", Tz::Europe__Volgograd),
    ("Волжский", Tz::Europe__Volgograd),
    // Samara time (UTC+4): Samara, Udmurtia and three Volga oblasts that
    // keep it under zones of their own.
    ("Samara", Tz::Europe__Samara),
    ("Самара", Tz::Europe__Samara),
    ("Tolyatti", Tz::Europe__Samara),
    ("Togliatti", Tz::Europe__Samara),
    ("Тольятти", Tz::Europe__Samara),
    ("Syzran", Tz::Europe__Samara),
    ("Сызрань", Tz::Europe__Samara),
    ("Izhevsk", Tz::Europe__Samara),
    ("Ижевск", Tz::Europe__Samara),
    ("Ulyanovsk", Tz::Europe__Ulyanovsk),
    ("Ульяновск", Tz::Europe__Ulyanovsk),
    ("Saratov", Tz::Europe__Saratov),
    ("Саратов", Tz::Europe__Saratov),
    ("Balakovo", Tz::Europe__Saratov),
    ("Балаково", Tz::Europe__Saratov),
    ("Astrakhan", Tz::Europe__Astrakhan),
    ("Астрахань", Tz::Europe__Astrakhan),
    // Yekaterinburg time (UTC+5): the Urals, Bashkortostan, Tyumen and the
    // oil okrugs north of it.
    ("Yekaterinburg", YEKATERINBURG),
    ("Ekaterinburg", YEKATERINBURG),
    ("Екатеринбург", YEKATERINBURG),
    ("Perm", YEKATERINBURG),
    ("Пермь", YEKATERINBURG),
    ("Ufa", YEKATERINBURG),
    ("Уфа", YEKATERINBURG),
    ("Sterlitamak", YEKATERINBURG),
    ("Стерлитамак", YEKATERINBURG),
    ("Chelyabinsk", YEKATERINBURG),
    ("Челябинск", YEKATERINBURG),
    ("Magnitogorsk", YEKATERINBURG),
    ("Магнитогорск", YEKATERINBURG),
    ("Nizhny Tagil", YEKATERINBURG),
    ("Нижний Тагил", YEKATERINBURG),
    ("Tyumen", YEKATERINBURG),
    ("Тюмень", YEKATERINBURG),
    ("Tobolsk", YEKATERINBURG),
    ("Тобольск", YEKATERINBURG),
    ("Orenburg", YEKATERINBURG),
    ("Оренбург", YEKATERINBURG),
    ("Orsk", YEKATERINBURG),
    ("Орск", YEKATERINBURG),
    ("Kurgan", YEKATERINBURG),
    ("Курган", YEKATERINBURG),
    ("Surgut", YEKATERINBURG),
    ("Сургут", YEKATERINBURG),
    ("Nizhnevartovsk", YEKATERINBURG),
    ("Нижневартовск", YEKATERINBURG),
    ("Khanty-Mansiysk", YEKATERINBURG),
    ("Ханты-Мансийск", YEKATERINBURG),
    ("Salekhard", YEKATERINBURG),
    ("Салехард", YEKATERINBURG),
    ("Novy Urengoy", YEKATERINBURG),
    ("Новый Уренгой", YEKATERINBURG),
    // Omsk time (UTC+6)
    ("Omsk", Tz::Asia__Omsk),
    ("Омск", Tz::Asia__Omsk),
    // Krasnoyarsk time (UTC+7): the southern Siberian oblasts each keep a
    // zone of their own for their past changes.
    ("Novosibirsk", Tz::Asia__Novosibirsk),
    ("Новосибирск", Tz::Asia__Novosibirsk),
    ("Tomsk", Tz::Asia__Tomsk),
    ("Томск", Tz::Asia__Tomsk),
    ("Barnaul", Tz::Asia__Barnaul),
    ("Барнаул", Tz::Asia__Barnaul),
    ("Biysk", Tz::Asia__Barnaul),
    ("Бийск", Tz::Asia__Barnaul),
    ("Gorno-Altaysk", Tz::Asia__Barnaul),
    ("Горно-Алтайск", Tz::Asia__Barnaul),
    ("Kemerovo", Tz::Asia__Novokuznetsk),
    ("Кемерово", Tz::Asia__Novokuznetsk),
    ("Novokuznetsk", Tz::Asia__Novokuznetsk),
    ("Новокузнецк", Tz::Asia__Novokuznetsk),
    ("Krasnoyarsk", Tz::Asia__Krasnoyarsk),
    ("Красноярск", Tz::Asia__Krasnoyarsk),
    ("Norilsk", Tz::Asia__Krasnoyarsk),
    ("Норильск", Tz::Asia__Krasnoyarsk),
    ("Abakan", Tz::Asia__Krasnoyarsk),
    ("Абакан", Tz::Asia__Krasnoyarsk),
    ("Kyzyl", Tz::Asia__Krasnoyarsk),
    ("Кызыл", Tz::Asia__Krasnoyarsk),
    // Irkutsk time (UTC+8)
    ("Irkutsk", Tz::Asia__Irkutsk),
    ("Иркутск", Tz::Asia__Irkutsk),
    ("Angarsk", Tz::Asia__Irkutsk),
    ("Ангарск", Tz::Asia__Irkutsk),
    ("Bratsk", Tz::Asia__Irkutsk),
    ("Братск", Tz::Asia__Irkutsk),
    ("Ulan-Ude", Tz::Asia__Irkutsk),
    ("Улан-Удэ", Tz::Asia__Irkutsk),
    // Yakutsk time (UTC+9)
    ("Chita", Tz::Asia__Chita),
    ("Чита", Tz::Asia__Chita),
    ("Yakutsk", Tz::Asia__Yakutsk),
    ("Якутск", Tz::Asia__Yakutsk),
    ("Neryungri", Tz::Asia__Yakutsk),
    ("Нерюнгри", Tz::Asia__Yakutsk),
    ("Blagoveshchensk", Tz::Asia__Yakutsk),
    ("Благовещенск", Tz::Asia__Yakutsk),
    // Vladivostok time (UTC+10)
    ("Vladivostok", VLADIVOSTOK),
    ("Владивосток", VLADIVOSTOK),
    ("Ussuriysk", VLADIVOSTOK),
    ("Уссурийск", VLADIVOSTOK),
    ("Nakhodka", VLADIVOSTOK),
    ("Находка", VLADIVOSTOK),
    ("Khabarovsk", VLADIVOSTOK),
    ("Хабаровск", VLADIVOSTOK),
    ("Komsomolsk-on-Amur", VLADIVOSTOK),
    ("Komsomolsk-na-Amure", VLADIVOSTOK),
    ("Комсомольск-на-Амуре", VLADIVOSTOK),
    ("Birobidzhan", VLADIVOSTOK),
    ("Биробиджан", VLADIVOSTOK),
    // Magadan and Sakhalin time (UTC+11)
    ("Yuzhno-Sakhalinsk", Tz::Asia__Sakhalin),
    ("Южно-Сахалинск", Tz::Asia__Sakhalin),
    ("Magadan", Tz::Asia__Magadan),
    ("Магадан", Tz::Asia__Magadan),
    // Kamchatka time (UTC+12). "Petropavlovsk" alone is left out: it is
    // also the Russian name of Petropavl, Kazakhstan.
    ("Petropavlovsk-Kamchatsky", Tz::Asia__Kamchatka),
    ("Petropavlovsk-Kamchatskiy", Tz::Asia__Kamchatka),
    ("Петропавловск-Камчатский", Tz::Asia__Kamchatka),
    ("Anadyr", Tz::Asia__Anadyr),
    ("Анадырь", Tz::Asia__Anadyr),
];

// Russian regions whose capital is not their name, and the two oblasts
// around the capitals, whose towns the tables do not list. Sakha spans three
// zones: most of its people are on Yakutsk time.
const RUSSIA_REGIONS: &[(&str, Tz)] = &[
    ("Moskovskaya oblast", MOSCOW),
    ("Московская область", MOSCOW),
    ("Podmoskovye", MOSCOW),
    ("Подмосковье", MOSCOW),
    ("Leningrad", MOSCOW),
    ("Leningradskaya oblast", MOSCOW),
    ("Ленинградская область", MOSCOW),
    ("Tatarstan", MOSCOW),
    ("Татарстан", MOSCOW),
    ("Dagestan", MOSCOW),
    ("Дагестан", MOSCOW),
    ("Chechnya", MOSCOW),
    ("Чечня", MOSCOW),
    ("Ingushetia", MOSCOW),
    ("Ингушетия", MOSCOW),
    ("North Ossetia", MOSCOW),
    ("Северная Осетия", MOSCOW),
    ("Kabardino-Balkaria", MOSCOW),
    ("Кабардино-Балкария", MOSCOW),
    ("Adygea", MOSCOW),
    ("Адыгея", MOSCOW),
    ("Kalmykia", MOSCOW),
    ("Калмыкия", MOSCOW),
    ("Kuban", MOSCOW),
    ("Кубань", MOSCOW),
    ("Karelia", MOSCOW),
    ("Карелия", MOSCOW),
    ("Komi", MOSCOW),
    ("Коми", MOSCOW),
    ("Mordovia", MOSCOW),
    ("Мордовия", MOSCOW),
    ("Chuvashia", MOSCOW),
    ("Чувашия", MOSCOW),
    ("Mari El", MOSCOW),
    ("Марий Эл", MOSCOW),
    ("Udmurtia", Tz::Europe__Samara),
    ("Удмуртия", Tz::Europe__Samara),
    ("Bashkortostan", YEKATERINBURG),
    ("Башкортостан", YEKATERINBURG),
    ("Bashkiria", YEKATERINBURG),
    ("Башкирия", YEKATERINBURG),
    ("Sverdlovsk", YEKATERINBURG),
    ("Khanty-Mansi", YEKATERINBURG),
    ("Yugra", YEKATERINBURG),
    ("Югра", YEKATERINBURG),
    ("Yamal", YEKATERINBURG),
    ("Yamalo-Nenets", YEKATERINBURG),
    ("Ямал", YEKATERINBURG),
    ("Kuzbass", Tz::Asia__Novokuznetsk),
    ("Кузбасс", Tz::Asia__Novokuznetsk),
    ("Altai", Tz::Asia__Barnaul),
    ("Алтай", Tz::Asia__Barnaul),
    ("Алтайский край", Tz::Asia__Barnaul),
    ("Khakassia", Tz::Asia__Krasnoyarsk),
    ("Хакасия", Tz::Asia__Krasnoyarsk),
    ("Tuva", Tz::Asia__Krasnoyarsk),
    ("Тыва", Tz::Asia__Krasnoyarsk),
    ("Тува", Tz::Asia__Krasnoyarsk),
    ("Buryatia", Tz::Asia__Irkutsk),
    ("Бурятия", Tz::Asia__Irkutsk),
    ("Zabaykalsky", Tz::Asia__Chita),
    ("Transbaikalia", Tz::Asia__Chita),
    ("Забайкальский край", Tz::Asia__Chita),
    ("Забайкалье", Tz::Asia__Chita),
    ("Yakutia", Tz::Asia__Yakutsk),
    ("Sakha", Tz::Asia__Yakutsk),
    ("Якутия", Tz::Asia__Yakutsk),
    ("Саха", Tz::Asia__Yakutsk),
    ("Primorsky", VLADIVOSTOK),
    ("Primorye", VLADIVOSTOK),
    ("Приморский край", VLADIVOSTOK),
    ("Приморье", VLADIVOSTOK),
    ("Sakhalin", Tz::Asia__Sakhalin),
    ("Сахалин", Tz::Asia__Sakhalin),
    ("Kamchatka", Tz::Asia__Kamchatka),
    ("Камчатка", Tz::Asia__Kamchatka),
    ("Камчатский край", Tz::Asia__Kamchatka),
    ("Chukotka", Tz::Asia__Anadyr),
    ("Чукотка", Tz::Asia__Anadyr),
];

// ---- Kazakhstan: one clock (UTC+5) since March 2024, but the west kept
// zones of its own in the tz database for the years before. "Oral" is left
// out (an English word); "Uralsk" is its other name. ----
const KAZAKHSTAN_CITIES: &[(&str, Tz)] = &[
    ("Almaty", ALMATY),
    ("Alma-Ata", ALMATY),
    ("Алматы", ALMATY),
    ("Алма-Ата", ALMATY),
    ("Astana", ALMATY),
    ("Nur-Sultan", ALMATY),
    ("Астана", ALMATY),
    ("Нур-Султан", ALMATY),
    ("Shymkent", ALMATY),
    ("Шымкент", ALMATY),
    ("Karaganda", ALMATY),
    ("Karagandy", ALMATY),
    ("Qaraghandy", ALMATY),
    ("Караганда", ALMATY),
    ("Pavlodar", ALMATY),
    ("Павлодар", ALMATY),
    ("Semey", ALMATY),
    ("Семей", ALMATY),
    ("Oskemen", ALMATY),
    ("Ust-Kamenogorsk", ALMATY),
    ("Усть-Каменогорск", ALMATY),
    ("Taraz", ALMATY),
    ("Тараз", ALMATY),
    ("Petropavl", ALMATY),
    ("Петропавл", ALMATY),
    ("Kokshetau", ALMATY),
    ("Кокшетау", ALMATY),
    ("Taldykorgan", ALMATY),
    ("Талдыкорган", ALMATY),
    ("Turkistan", ALMATY),
    ("Туркестан", ALMATY),
    ("Kyzylorda", Tz::Asia__Qyzylorda),
    ("Qyzylorda", Tz::Asia__Qyzylorda),
    ("Кызылорда", Tz::Asia__Qyzylorda),
    ("Kostanay", Tz::Asia__Qostanay),
    ("Qostanay", Tz::Asia__Qostanay),
    ("Костанай", Tz::Asia__Qostanay),
    ("Aktobe", Tz::Asia__Aqtobe),
    ("Aqtobe", Tz::Asia__Aqtobe),
    ("Актобе", Tz::Asia__Aqtobe),
    ("Atyrau", Tz::Asia__Atyrau),
    ("Атырау", Tz::Asia__Atyrau),
    ("Aktau", Tz::Asia__Aqtau),
    ("Aqtau", Tz::Asia__Aqtau),
    ("Актау", Tz::Asia__Aqtau),
    ("Uralsk", Tz::Asia__Oral),
    ("Уральск", Tz::Asia__Oral),
];

// ---- United States. Cities that share their name with a big city in
// another zone of the country (Portland, Aurora, Arlington, Springfield,
// Jackson, Columbia, Richmond, Glendale...) are left out, as are those named
// like bigger places abroad (Birmingham, Toledo, Durham). ----
const US_CITIES: &[(&str, Tz)] = &[
    // Eastern
    ("New York", EASTERN),
    ("New York City", EASTERN),
    ("NYC", EASTERN),
    ("Brooklyn", EASTERN),
    ("Manhattan", EASTERN),
    ("Bronx", EASTERN),
    ("Staten Island", EASTERN),
    ("Philadelphia", EASTERN),
    ("Pittsburgh", EASTERN),
    ("Boston", EASTERN),
    ("Washington DC", EASTERN),
    ("Baltimore", EASTERN),
    ("Newark", EASTERN),
    ("Jersey City", EASTERN),
    ("Perth Amboy", EASTERN),
    ("Buffalo", EASTERN),
    ("Hartford", EASTERN),
    ("New Haven", EASTERN),
    ("Providence", EASTERN),
    ("Atlanta", EASTERN),
    ("Savannah", EASTERN),
    ("Miami", EASTERN),
    ("Orlando", EASTERN),
    ("Tampa", EASTERN),
    ("Jacksonville", EASTERN),
    ("Fort Lauderdale", EASTERN),
    ("West Palm Beach", EASTERN),
    ("Tallahassee", EASTERN),
    ("Charlotte", EASTERN),
    ("Raleigh", EASTERN),
    ("Greensboro", EASTERN),
    ("Charleston", EASTERN),
    ("Virginia Beach", EASTERN),
    ("Detroit", EASTERN),
    ("Grand Rapids", EASTERN),
    ("Ann Arbor", EASTERN),
    ("Cleveland", EASTERN),
    ("Columbus", EASTERN),
    ("Cincinnati", EASTERN),
    ("Akron", EASTERN),
    ("Dayton", EASTERN),
    ("Indianapolis", EASTERN),
    ("Fort Wayne", EASTERN),
    ("Louisville", EASTERN),
    ("Lexington", EASTERN),
    ("Knoxville", EASTERN),
    ("Chattanooga", EASTERN),
    // Central
    ("Chicago", CENTRAL),
    ("Houston", CENTRAL),
    ("Dallas", CENTRAL),
    ("San Antonio", CENTRAL),
    ("Austin", CENTRAL),
    ("Fort Worth", CENTRAL),
    ("Corpus Christi", CENTRAL),
    ("Lubbock", CENTRAL),
    ("Amarillo", CENTRAL),
    ("Laredo", CENTRAL),
    ("Plano", CENTRAL),
    ("Waco", CENTRAL),
    ("Milwaukee", CENTRAL),
    ("Green Bay", CENTRAL),
    ("Minneapolis", CENTRAL),
    ("Saint Paul", CENTRAL),
    ("Kansas City", CENTRAL),
    ("Saint Louis", CENTRAL),
    ("Omaha", CENTRAL),
    ("Oklahoma City", CENTRAL),
    ("Tulsa", CENTRAL),
    ("Wichita", CENTRAL),
    ("Des Moines", CENTRAL),
    ("Memphis", CENTRAL),
    ("Nashville", CENTRAL),
    ("New Orleans", CENTRAL),
    ("Baton Rouge", CENTRAL),
    ("Shreveport", CENTRAL),
    ("Little Rock", CENTRAL),
    ("Sioux Falls", CENTRAL),
    ("Fargo", CENTRAL),
    ("Pensacola", CENTRAL),
    // Mountain; Arizona keeps no daylight saving time
    ("Denver", MOUNTAIN),
    ("Colorado Springs", MOUNTAIN),
    ("Salt Lake City", MOUNTAIN),
    ("Provo", MOUNTAIN),
    ("Albuquerque", MOUNTAIN),
    ("Las Cruces", MOUNTAIN),
    ("El Paso", MOUNTAIN),
    ("Boise", MOUNTAIN),
    ("Billings", MOUNTAIN),
    ("Cheyenne", MOUNTAIN),
    ("Rapid City", MOUNTAIN),
    ("Phoenix", ARIZONA),
    ("Tucson", ARIZONA),
    ("Scottsdale", ARIZONA),
    ("Tempe", ARIZONA),
    ("Chandler", ARIZONA),
    ("Flagstaff", ARIZONA),
    // Pacific
    ("Los Angeles", PACIFIC),
    ("San Diego", PACIFIC),
    ("San Jose", PACIFIC),
    ("San Francisco", PACIFIC),
    ("Oakland", PACIFIC),
    ("Sacramento", PACIFIC),
    ("Fresno", PACIFIC),
    ("Long Beach", PACIFIC),
    ("Bakersfield", PACIFIC),
    ("Anaheim", PACIFIC),
    ("Irvine", PACIFIC),
    ("Stockton", PACIFIC),
    ("Santa Barbara", PACIFIC),
    ("Beverly Hills", PACIFIC),
    ("Palm Springs", PACIFIC),
    ("Las Vegas", PACIFIC),
    ("Reno", PACIFIC),
    ("Seattle", PACIFIC),
    ("Tacoma", PACIFIC),
    ("Spokane", PACIFIC),
    // Alaska, Hawaii
    ("Anchorage", Tz::America__Anchorage),
    ("Fairbanks", Tz::America__Anchorage),
    ("Juneau", Tz::America__Juneau),
    ("Honolulu", Tz::Pacific__Honolulu),
    ("Hilo", Tz::Pacific__Honolulu),
];

// US states by the zone of most of their people (Florida's panhandle,
// western Kentucky, Tennessee's east, Oregon's Malheur county and Idaho's
// north are on the other clock). "Georgia" is left out (a country too) and
// "Washington" alone (the state or the capital).
const US_STATES: &[(&str, Tz)] = &[
    ("Alabama", CENTRAL),
    ("Alaska", Tz::America__Anchorage),
    ("Arizona", ARIZONA),
    ("Arkansas", CENTRAL),
    ("California", PACIFIC),
    ("Colorado", MOUNTAIN),
    ("Connecticut", EASTERN),
    ("Delaware", EASTERN),
    ("District of Columbia", EASTERN),
    ("Florida", EASTERN),
    ("Hawaii", Tz::Pacific__Honolulu),
    ("Idaho", MOUNTAIN),
    ("Illinois", CENTRAL),
    ("Indiana", EASTERN),
    ("Iowa", CENTRAL),
    ("Kansas", CENTRAL),
    ("Kentucky", EASTERN),
    ("Louisiana", CENTRAL),
    ("Maine", EASTERN),
    ("Maryland", EASTERN),
    ("Massachusetts", EASTERN),
    ("Michigan", EASTERN),
    ("Minnesota", CENTRAL),
    ("Mississippi", CENTRAL),
    ("Missouri", CENTRAL),
    ("Montana", MOUNTAIN),
    ("Nebraska", CENTRAL),
    ("Nevada", PACIFIC),
    ("New Hampshire", EASTERN),
    ("New Jersey", EASTERN),
    ("New Mexico", MOUNTAIN),
    ("North Carolina", EASTERN),
    ("North Dakota", CENTRAL),
    ("Ohio", EASTERN),
    ("Oklahoma", CENTRAL),
    ("Oregon", PACIFIC),
    ("Pennsylvania", EASTERN),
    ("Rhode Island", EASTERN),
    ("South Carolina", EASTERN),
    ("South Dakota", CENTRAL),
    ("Tennessee", CENTRAL),
    ("Texas", CENTRAL),
    ("Utah", MOUNTAIN),
    ("Vermont", EASTERN),
    ("Virginia", EASTERN),
    ("Washington State", PACIFIC),
    ("West Virginia", EASTERN),
    ("Wisconsin", CENTRAL),
    ("Wyoming", MOUNTAIN),
    ("Puerto Rico", Tz::America__Puerto_Rico),
    ("Guam", Tz::Pacific__Guam),
];

// USPS codes of the states, the capital and the territories.
const US_POSTAL: &[(&str, Tz)] = &[
    ("AL", CENTRAL),
    ("AK", Tz::America__Anchorage),
    ("AZ", ARIZONA),
    ("AR", CENTRAL),
    ("CA", PACIFIC),
    ("CO", MOUNTAIN),
    ("CT", EASTERN),
    ("DE", EASTERN),
    ("DC", EASTERN),
    ("FL", EASTERN),
    ("GA", EASTERN),
    ("HI", Tz::Pacific__Honolulu),
    ("ID", MOUNTAIN),
    ("IL", CENTRAL),
    ("IN", EASTERN),
    ("IA", CENTRAL),
    ("KS", CENTRAL),
    ("KY", EASTERN),
    ("LA", CENTRAL),
    ("ME", EASTERN),
    ("MD", EASTERN),
    ("MA", EASTERN),
    ("MI", EASTERN),
    ("MN", CENTRAL),
    ("MS", CENTRAL),
    ("MO", CENTRAL),
    ("MT", MOUNTAIN),
    ("NE", CENTRAL),
    ("NV", PACIFIC),
    ("NH", EASTERN),
    ("NJ", EASTERN),
    ("NM", MOUNTAIN),
    ("NY", EASTERN),
    ("NC", EASTERN),
    ("ND", CENTRAL),
    ("OH", EASTERN),
    ("OK", CENTRAL),
    ("OR", PACIFIC),
    ("PA", EASTERN),
    ("RI", EASTERN),
    ("SC", EASTERN),
    ("SD", CENTRAL),
    ("TN", CENTRAL),
    ("TX", CENTRAL),
    ("UT", MOUNTAIN),
    ("VT", EASTERN),
    ("VA", EASTERN),
    ("WA", PACIFIC),
    ("WV", EASTERN),
    ("WI", CENTRAL),
    ("WY", MOUNTAIN),
    ("PR", Tz::America__Puerto_Rico),
    ("VI", Tz::America__St_Thomas),
    ("GU", Tz::Pacific__Guam),
    ("AS", Tz::Pacific__Pago_Pago),
    ("MP", Tz::Pacific__Saipan),
];

// ---- Canada. Victoria is left to Australia's state (and "Victoria, BC"
// to its province), Hamilton, London, Kingston, Windsor and Surrey to the
// places abroad. ----
const CANADA_CITIES: &[(&str, Tz)] = &[
    // Eastern: Ontario (but the north-west) and Quebec
    ("Toronto", TORONTO),
    ("Ottawa", TORONTO),
    ("Mississauga", TORONTO),
    ("Brampton", TORONTO),
    ("Markham", TORONTO),
    ("Vaughan", TORONTO),
    ("Oakville", TORONTO),
    ("Barrie", TORONTO),
    ("Guelph", TORONTO),
    ("Kitchener", TORONTO),
    ("Thunder Bay", TORONTO),
    ("Montreal", TORONTO),
    ("Quebec City", TORONTO),
    ("Ville de Quebec", TORONTO),
    ("Gatineau", TORONTO),
    ("Longueuil", TORONTO),
    ("Sherbrooke", TORONTO),
    ("Trois-Rivieres", TORONTO),
    ("Saguenay", TORONTO),
    ("Levis", TORONTO),
    // Central: Manitoba and north-western Ontario
    ("Winnipeg", Tz::America__Winnipeg),
    ("Brandon", Tz::America__Winnipeg),
    ("Kenora", Tz::America__Winnipeg),
    // Saskatchewan: Central standard time all year
    ("Regina", Tz::America__Regina),
    ("Saskatoon", Tz::America__Regina),
    ("Moose Jaw", Tz::America__Regina),
    // Mountain: Alberta, the Northwest Territories, Lloydminster (which
    // keeps Alberta's clock on both sides) and BC's East Kootenay
    ("Calgary", Tz::America__Edmonton),
    ("Edmonton", Tz::America__Edmonton),
    ("Red Deer", Tz::America__Edmonton),
    ("Lethbridge", Tz::America__Edmonton),
    ("Medicine Hat", Tz::America__Edmonton),
    ("Fort McMurray", Tz::America__Edmonton),
    ("Lloydminster", Tz::America__Edmonton),
    ("Cranbrook", Tz::America__Edmonton),
    ("Yellowknife", Tz::America__Edmonton),
    // BC's Peace River: Mountain standard time all year
    ("Dawson Creek", Tz::America__Dawson_Creek),
    ("Fort St John", Tz::America__Dawson_Creek),
    // Pacific: British Columbia
    ("Vancouver", Tz::America__Vancouver),
    ("Burnaby", Tz::America__Vancouver),
    ("Coquitlam", Tz::America__Vancouver),
    ("Abbotsford", Tz::America__Vancouver),
    ("Kelowna", Tz::America__Vancouver),
    ("Kamloops", Tz::America__Vancouver),
    ("Nanaimo", Tz::America__Vancouver),
    ("Prince George", Tz::America__Vancouver),
    // Atlantic, Newfoundland
    ("Halifax", Tz::America__Halifax),
    ("Charlottetown", Tz::America__Halifax),
    ("Moncton", Tz::America__Moncton),
    ("Fredericton", Tz::America__Moncton),
    ("Happy Valley-Goose Bay", Tz::America__Goose_Bay),
    ("Labrador City", Tz::America__Goose_Bay),
    ("St. John's", Tz::America__St_Johns),
    ("Corner Brook", Tz::America__St_Johns),
    // The territories
    ("Whitehorse", Tz::America__Whitehorse),
    ("Iqaluit", Tz::America__Iqaluit),
    ("Rankin Inlet", Tz::America__Rankin_Inlet),
    ("Cambridge Bay", Tz::America__Cambridge_Bay),
];

// Provinces and territories in English and French, by the zone of most of
// their people. Quebec is "Toronto" in the tz database (Montreal is a link).
const CANADA_PROVINCES: &[(&str, Tz)] = &[
    ("Ontario", TORONTO),
    ("Quebec", TORONTO),
    ("British Columbia", Tz::America__Vancouver),
    ("Colombie-Britannique", Tz::America__Vancouver),
    ("Alberta", Tz::America__Edmonton),
    ("Manitoba", Tz::America__Winnipeg),
    ("Saskatchewan", Tz::America__Regina),
    ("Nova Scotia", Tz::America__Halifax),
    ("Nouvelle-Ecosse", Tz::America__Halifax),
    ("New Brunswick", Tz::America__Moncton),
    ("Nouveau-Brunswick", Tz::America__Moncton),
    ("Prince Edward Island", Tz::America__Halifax),
    ("Ile-du-Prince-Edouard", Tz::America__Halifax),
    ("Newfoundland", Tz::America__St_Johns),
    ("Newfoundland and Labrador", Tz::America__St_Johns),
    ("Terre-Neuve-et-Labrador", Tz::America__St_Johns),
    ("Labrador", Tz::America__Goose_Bay),
    ("Yukon", Tz::America__Whitehorse),
    ("Northwest Territories", Tz::America__Edmonton),
    ("Territoires du Nord-Ouest", Tz::America__Edmonton),
    ("Nunavut", Tz::America__Iqaluit),
];

// Canada Post's codes, and two older ones still written.
const CANADA_POSTAL: &[(&str, Tz)] = &[
    ("ON", TORONTO),
    ("QC", TORONTO),
    ("PQ", TORONTO),
    ("BC", Tz::America__Vancouver),
    ("AB", Tz::America__Edmonton),
    ("MB", Tz::America__Winnipeg),
    ("SK", Tz::America__Regina),
    ("NS", Tz::America__Halifax),
    ("NB", Tz::America__Moncton),
    ("PE", Tz::America__Halifax),
    ("NL", Tz::America__St_Johns),
    ("NFLD", Tz::America__St_Johns),
    ("YT", Tz::America__Whitehorse),
    ("NT", Tz::America__Edmonton),
    ("NU", Tz::America__Iqaluit),
];

// ---- Australia. Newcastle, Penrith, Orange and Tamworth are left to
// their namesakes abroad; Broken Hill keeps South Australia's clock in New
// South Wales. ----
const AUSTRALIA_CITIES: &[(&str, Tz)] = &[
    // New South Wales, the capital territory
    ("Sydney", Tz::Australia__Sydney),
    ("Parramatta", Tz::Australia__Sydney),
    ("Wollongong", Tz::Australia__Sydney),
    ("Canberra", Tz::Australia__Sydney),
    ("Wagga Wagga", Tz::Australia__Sydney),
    ("Albury", Tz::Australia__Sydney),
    ("Coffs Harbour", Tz::Australia__Sydney),
    ("Port Macquarie", Tz::Australia__Sydney),
    ("Broken Hill", Tz::Australia__Broken_Hill),
    ("Lord Howe Island", Tz::Australia__Lord_Howe),
    // Victoria
    ("Melbourne", Tz::Australia__Melbourne),
    ("Geelong", Tz::Australia__Melbourne),
    ("Ballarat", Tz::Australia__Melbourne),
    ("Bendigo", Tz::Australia__Melbourne),
    ("Shepparton", Tz::Australia__Melbourne),
    ("Mildura", Tz::Australia__Melbourne),
    // Queensland: no daylight saving time
    ("Brisbane", Tz::Australia__Brisbane),
    ("Gold Coast", Tz::Australia__Brisbane),
    ("Sunshine Coast", Tz::Australia__Brisbane),
    ("Townsville", Tz::Australia__Brisbane),
    ("Cairns", Tz::Australia__Brisbane),
    ("Toowoomba", Tz::Australia__Brisbane),
    ("Mackay", Tz::Australia__Brisbane),
    ("Rockhampton", Tz::Australia__Brisbane),
    ("Bundaberg", Tz::Australia__Brisbane),
    ("Hervey Bay", Tz::Australia__Brisbane),
    // South Australia
    ("Adelaide", Tz::Australia__Adelaide),
    ("Mount Gambier", Tz::Australia__Adelaide),
    ("Whyalla", Tz::Australia__Adelaide),
    // Western Australia
    ("Perth", Tz::Australia__Perth),
    ("Fremantle", Tz::Australia__Perth),
    ("Mandurah", Tz::Australia__Perth),
    ("Bunbury", Tz::Australia__Perth),
    ("Kalgoorlie", Tz::Australia__Perth),
    ("Geraldton", Tz::Australia__Perth),
    // Tasmania
    ("Hobart", Tz::Australia__Hobart),
    ("Launceston", Tz::Australia__Hobart),
    // Northern Territory
    ("Darwin", Tz::Australia__Darwin),
    ("Alice Springs", Tz::Australia__Darwin),
];

const AUSTRALIA_STATES: &[(&str, Tz)] = &[
    ("New South Wales", Tz::Australia__Sydney),
    ("Australian Capital Territory", Tz::Australia__Sydney),
    ("Victoria", Tz::Australia__Melbourne),
    ("Queensland", Tz::Australia__Brisbane),
    ("South Australia", Tz::Australia__Adelaide),
    ("Western Australia", Tz::Australia__Perth),
    ("Tasmania", Tz::Australia__Hobart),
    ("Northern Territory", Tz::Australia__Darwin),
];

const AUSTRALIA_POSTAL: &[(&str, Tz)] = &[
    ("NSW", Tz::Australia__Sydney),
    ("ACT", Tz::Australia__Sydney),
    ("JBT", Tz::Australia__Sydney),
    ("VIC", Tz::Australia__Melbourne),
    ("QLD", Tz::Australia__Brisbane),
    ("SA", Tz::Australia__Adelaide),
    ("WA", Tz::Australia__Perth),
    ("TAS", Tz::Australia__Hobart),
    ("NT", Tz::Australia__Darwin),
];

// ---- Brazil: Brasília time (UTC-3) in the south-east, south, north-east
// and east of the north, under a zone per region of the tz database; Amazon
// time (UTC-4) in the west; Acre and Amazonas' far west at UTC-5. ----
const BRAZIL_CITIES: &[(&str, Tz)] = &[
    // South-east, south, centre-west
    ("Sao Paulo", SAO_PAULO),
    ("Guarulhos", SAO_PAULO),
    ("Campinas", SAO_PAULO),
    ("Osasco", SAO_PAULO),
    ("Santo Andre", SAO_PAULO),
    ("Sao Bernardo do Campo", SAO_PAULO),
    ("Sao Jose dos Campos", SAO_PAULO),
    ("Sorocaba", SAO_PAULO),
    ("Ribeirao Preto", SAO_PAULO),
    ("Santos", SAO_PAULO),
    ("Rio de Janeiro", SAO_PAULO),
    ("Niteroi", SAO_PAULO),
    ("Duque de Caxias", SAO_PAULO),
    ("Nova Iguacu", SAO_PAULO),
    ("Sao Goncalo", SAO_PAULO),
    ("Belo Horizonte", SAO_PAULO),
    ("Contagem", SAO_PAULO),
    ("Uberlandia", SAO_PAULO),
    ("Juiz de Fora", SAO_PAULO),
    ("Vitoria", SAO_PAULO),
    ("Curitiba", SAO_PAULO),
    ("Londrina", SAO_PAULO),
    ("Maringa", SAO_PAULO),
    ("Foz do Iguacu", SAO_PAULO),
    ("Florianopolis", SAO_PAULO),
    ("Joinville", SAO_PAULO),
    ("Blumenau", SAO_PAULO),
    ("Porto Alegre", SAO_PAULO),
    ("Caxias do Sul", SAO_PAULO),
    ("Pelotas", SAO_PAULO),
    ("Brasilia", SAO_PAULO),
    ("Goiania", SAO_PAULO),
    ("Aparecida de Goiania", SAO_PAULO),
    ("Anapolis", SAO_PAULO),
    // North-east
    ("Salvador", Tz::America__Bahia),
    ("Feira de Santana", Tz::America__Bahia),
    ("Vitoria da Conquista", Tz::America__Bahia),
    ("Ilheus", Tz::America__Bahia),
    ("Porto Seguro", Tz::America__Bahia),
    ("Fortaleza", FORTALEZA),
    ("Sao Luis", FORTALEZA),
    ("Imperatriz", FORTALEZA),
    ("Teresina", FORTALEZA),
    ("Natal", FORTALEZA),
    ("Mossoro", FORTALEZA),
    ("Joao Pessoa", FORTALEZA),
    ("Campina Grande", FORTALEZA),
    ("Recife", Tz::America__Recife),
    ("Olinda", Tz::America__Recife),
    ("Jaboatao dos Guararapes", Tz::America__Recife),
    ("Caruaru", Tz::America__Recife),
    ("Petrolina", Tz::America__Recife),
    ("Maceio", Tz::America__Maceio),
    ("Aracaju", Tz::America__Maceio),
    ("Fernando de Noronha", Tz::America__Noronha),
    // North, on Brasília time
    ("Belem", Tz::America__Belem),
    ("Ananindeua", Tz::America__Belem),
    ("Maraba", Tz::America__Belem),
    ("Macapa", Tz::America__Belem),
    ("Santarem", Tz::America__Santarem),
    ("Palmas", Tz::America__Araguaina),
    ("Araguaina", Tz::America__Araguaina),
    // Amazon time (UTC-4)
    ("Manaus", Tz::America__Manaus),
    ("Parintins", Tz::America__Manaus),
    ("Boa Vista", Tz::America__Boa_Vista),
    ("Porto Velho", Tz::America__Porto_Velho),
    ("Ji-Parana", Tz::America__Porto_Velho),
    ("Cuiaba", Tz::America__Cuiaba),
    ("Varzea Grande", Tz::America__Cuiaba),
    ("Rondonopolis", Tz::America__Cuiaba),
    ("Campo Grande", Tz::America__Campo_Grande),
    ("Dourados", Tz::America__Campo_Grande),
    // Acre time (UTC-5)
    ("Rio Branco", Tz::America__Rio_Branco),
    ("Cruzeiro do Sul", Tz::America__Rio_Branco),
    ("Eirunepe", Tz::America__Eirunepe),
];

// States named in full; Rio de Janeiro and São Paulo are under cities (the
// same names and zones). "Pará" is left out (Portuguese for "for"), and
// "Distrito Federal" (Mexico City's old name too).
const BRAZIL_STATES: &[(&str, Tz)] = &[
    ("Espirito Santo", SAO_PAULO),
    ("Minas Gerais", SAO_PAULO),
    ("Parana", SAO_PAULO),
    ("Santa Catarina", SAO_PAULO),
    ("Rio Grande do Sul", SAO_PAULO),
    ("Goias", SAO_PAULO),
    ("Bahia", Tz::America__Bahia),
    ("Sergipe", Tz::America__Maceio),
    ("Alagoas", Tz::America__Maceio),
    ("Pernambuco", Tz::America__Recife),
    ("Paraiba", FORTALEZA),
    ("Rio Grande do Norte", FORTALEZA),
    ("Ceara", FORTALEZA),
    ("Piaui", FORTALEZA),
    ("Maranhao", FORTALEZA),
    ("Amapa", Tz::America__Belem),
    ("Tocantins", Tz::America__Araguaina),
    ("Amazonas", Tz::America__Manaus),
    ("Roraima", Tz::America__Boa_Vista),
    ("Rondonia", Tz::America__Porto_Velho),
    ("Mato Grosso", Tz::America__Cuiaba),
    ("Mato Grosso do Sul", Tz::America__Campo_Grande),
    ("Acre", Tz::America__Rio_Branco),
];

const BRAZIL_POSTAL: &[(&str, Tz)] = &[
    ("SP", SAO_PAULO),
    ("RJ", SAO_PAULO),
    ("ES", SAO_PAULO),
    ("MG", SAO_PAULO),
    ("PR", SAO_PAULO),
    ("SC", SAO_PAULO),
    ("RS", SAO_PAULO),
    ("DF", SAO_PAULO),
    ("GO", SAO_PAULO),
    ("BA", Tz::America__Bahia),
    ("SE", Tz::America__Maceio),
    ("AL", Tz::America__Maceio),
    ("PE", Tz::America__Recife),
    ("PB", FORTALEZA),
    ("RN", FORTALEZA),
    ("CE", FORTALEZA),
    ("PI", FORTALEZA),
    ("MA", FORTALEZA),
    ("PA", Tz::America__Belem),
    ("AP", Tz::America__Belem),
    ("TO", Tz::America__Araguaina),
    ("AM", Tz::America__Manaus),
    ("RR", Tz::America__Boa_Vista),
    ("RO", Tz::America__Porto_Velho),
    ("MT", Tz::America__Cuiaba),
    ("MS", Tz::America__Campo_Grande),
    ("AC", Tz::America__Rio_Branco),
];

// ---- Mexico: Central time but Baja California (Pacific, US daylight
// saving), Sonora (Mountain, none), Baja California Sur, Sinaloa and Nayarit
// (Mountain, none), Ciudad Juárez (Mountain, US daylight saving), the US
// border towns of the north-east (Central, US daylight saving) and Quintana
// Roo (Eastern, none). León and La Paz are left to their namesakes abroad,
// and "Juárez" alone to the streets named after him. ----
const MEXICO_CITIES: &[(&str, Tz)] = &[
    // Central
    ("Mexico City", MEXICO_CITY),
    ("Ciudad de Mexico", MEXICO_CITY),
    ("CDMX", MEXICO_CITY),
    ("Mexico DF", MEXICO_CITY),
    ("Ecatepec", MEXICO_CITY),
    ("Nezahualcoyotl", MEXICO_CITY),
    ("Naucalpan", MEXICO_CITY),
    ("Tlalnepantla", MEXICO_CITY),
    ("Toluca", MEXICO_CITY),
    ("Guadalajara", MEXICO_CITY),
    ("Zapopan", MEXICO_CITY),
    ("Puerto Vallarta", MEXICO_CITY),
    ("Puebla", MEXICO_CITY),
    ("Queretaro", MEXICO_CITY),
    ("San Luis Potosi", MEXICO_CITY),
    ("Aguascalientes", MEXICO_CITY),
    ("Guanajuato", MEXICO_CITY),
    ("Irapuato", MEXICO_CITY),
    ("Celaya", MEXICO_CITY),
    ("Morelia", MEXICO_CITY),
    ("Uruapan", MEXICO_CITY),
    ("Acapulco", MEXICO_CITY),
    ("Chilpancingo", MEXICO_CITY),
    ("Cuernavaca", MEXICO_CITY),
    ("Pachuca", MEXICO_CITY),
    ("Tlaxcala", MEXICO_CITY),
    ("Oaxaca", MEXICO_CITY),
    ("Veracruz", MEXICO_CITY),
    ("Xalapa", MEXICO_CITY),
    ("Coatzacoalcos", MEXICO_CITY),
    ("Villahermosa", MEXICO_CITY),
    ("Tuxtla Gutierrez", MEXICO_CITY),
    ("Tapachula", MEXICO_CITY),
    ("Zacatecas", MEXICO_CITY),
    ("Colima", MEXICO_CITY),
    ("Chihuahua", Tz::America__Chihuahua),
    ("Monterrey", MONTERREY),
    ("San Pedro Garza Garcia", MONTERREY),
    ("Apodaca", MONTERREY),
    ("Saltillo", MONTERREY),
    ("Monclova", MONTERREY),
    ("Torreon", MONTERREY),
    ("Gomez Palacio", MONTERREY),
    ("Durango", MONTERREY),
    ("Tampico", MONTERREY),
    ("Ciudad Victoria", MONTERREY),
    ("Merida", Tz::America__Merida),
    ("Campeche", Tz::America__Merida),
    ("Ciudad del Carmen", Tz::America__Merida),
    ("Nuevo Vallarta", Tz::America__Bahia_Banderas),
    ("Bahia de Banderas", Tz::America__Bahia_Banderas),
    // The north-eastern border: US daylight saving time
    ("Matamoros", Tz::America__Matamoros),
    ("Reynosa", Tz::America__Matamoros),
    ("Nuevo Laredo", Tz::America__Matamoros),
    ("Piedras Negras", Tz::America__Matamoros),
    ("Ciudad Acuna", Tz::America__Matamoros),
    // Eastern: Quintana Roo
    ("Cancun", Tz::America__Cancun),
    ("Playa del Carmen", Tz::America__Cancun),
    ("Tulum", Tz::America__Cancun),
    ("Cozumel", Tz::America__Cancun),
    ("Chetumal", Tz::America__Cancun),
    // Mountain
    ("Ciudad Juarez", Tz::America__Ciudad_Juarez),
    ("Hermosillo", Tz::America__Hermosillo),
    ("Ciudad Obregon", Tz::America__Hermosillo),
    ("Nogales", Tz::America__Hermosillo),
    ("Guaymas", Tz::America__Hermosillo),
    ("Navojoa", Tz::America__Hermosillo),
    ("San Luis Rio Colorado", Tz::America__Hermosillo),
    ("Culiacan", MAZATLAN),
    ("Mazatlan", MAZATLAN),
    ("Los Mochis", MAZATLAN),
    ("Guasave", MAZATLAN),
    ("Tepic", MAZATLAN),
    ("Los Cabos", MAZATLAN),
    ("Cabo San Lucas", MAZATLAN),
    ("San Jose del Cabo", MAZATLAN),
    // Pacific: Baja California
    ("Tijuana", Tz::America__Tijuana),
    ("Mexicali", Tz::America__Tijuana),
    ("Ensenada", Tz::America__Tijuana),
    ("Tecate", Tz::America__Tijuana),
    ("Rosarito", Tz::America__Tijuana),
];

// States whose name is not their capital's (those are under cities).
// Tamaulipas is left out: about half its people live in the border towns on
// US daylight saving time.
const MEXICO_STATES: &[(&str, Tz)] = &[
    ("Baja California", Tz::America__Tijuana),
    ("Baja California Sur", MAZATLAN),
    ("Sonora", Tz::America__Hermosillo),
    ("Sinaloa", MAZATLAN),
    ("Nayarit", MAZATLAN),
    ("Quintana Roo", Tz::America__Cancun),
    ("Yucatan", Tz::America__Merida),
    ("Nuevo Leon", MONTERREY),
    ("Coahuila", MONTERREY),
    ("Jalisco", MEXICO_CITY),
    ("Michoacan", MEXICO_CITY),
    ("Guerrero", MEXICO_CITY),
    ("Morelos", MEXICO_CITY),
    ("Hidalgo", MEXICO_CITY),
    ("Estado de Mexico", MEXICO_CITY),
    ("Edomex", MEXICO_CITY),
    ("Chiapas", MEXICO_CITY),
    ("Tabasco", MEXICO_CITY),
];

// The abbreviations written in Mexican addresses ("Tijuana, B.C.",
// "Monterrey, N.L."). "Col." is left out: it is "colonia", the district.
const MEXICO_POSTAL: &[(&str, Tz)] = &[
    ("BC", Tz::America__Tijuana),
    ("BCS", MAZATLAN),
    ("SON", Tz::America__Hermosillo),
    ("SIN", MAZATLAN),
    ("NAY", MAZATLAN),
    ("CHIH", Tz::America__Chihuahua),
    ("QROO", Tz::America__Cancun),
    ("YUC", Tz::America__Merida),
    ("CAMP", Tz::America__Merida),
    ("NL", MONTERREY),
    ("COAH", MONTERREY),
    ("DGO", MONTERREY),
    ("DF", MEXICO_CITY),
    ("MEX", MEXICO_CITY),
    ("AGS", MEXICO_CITY),
    ("CHIS", MEXICO_CITY),
    ("GRO", MEXICO_CITY),
    ("GTO", MEXICO_CITY),
    ("HGO", MEXICO_CITY),
    ("JAL", MEXICO_CITY),
    ("MICH", MEXICO_CITY),
    ("MOR", MEXICO_CITY),
    ("OAX", MEXICO_CITY),
    ("PUE", MEXICO_CITY),
    ("QRO", MEXICO_CITY),
    ("SLP", MEXICO_CITY),
    ("TAB", MEXICO_CITY),
    ("TLAX", MEXICO_CITY),
    ("VER", MEXICO_CITY),
    ("ZAC", MEXICO_CITY),
];

// ---- Indonesia: western (WIB: Java, Sumatra, west and central
// Kalimantan), central (WITA: Bali, Nusa Tenggara, Sulawesi, east and south
// Kalimantan) and eastern time (WIT: Maluku, Papua). "Solo" is left out (a
// word); Surakarta is its name. ----
const INDONESIA_CITIES: &[(&str, Tz)] = &[
    ("Jakarta", WIB),
    ("Bogor", WIB),
    ("Depok", WIB),
    ("Tangerang", WIB),
    ("Bekasi", WIB),
    ("Serang", WIB),
    ("Bandung", WIB),
    ("Cirebon", WIB),
    ("Tasikmalaya", WIB),
    ("Semarang", WIB),
    ("Surakarta", WIB),
    ("Yogyakarta", WIB),
    ("Jogjakarta", WIB),
    ("Jogja", WIB),
    ("Surabaya", WIB),
    ("Sidoarjo", WIB),
    ("Malang", WIB),
    ("Medan", WIB),
    ("Banda Aceh", WIB),
    ("Padang", WIB),
    ("Pekanbaru", WIB),
    ("Batam", WIB),
    ("Jambi", WIB),
    ("Palembang", WIB),
    ("Bengkulu", WIB),
    ("Bandar Lampung", WIB),
    ("Pontianak", Tz::Asia__Pontianak),
    ("Singkawang", Tz::Asia__Pontianak),
    ("Palangka Raya", Tz::Asia__Pontianak),
    ("Denpasar", WITA),
    ("Mataram", WITA),
    ("Kupang", WITA),
    ("Balikpapan", WITA),
    ("Samarinda", WITA),
    ("Banjarmasin", WITA),
    ("Tarakan", WITA),
    ("Makassar", WITA),
    ("Ujung Pandang", WITA),
    ("Manado", WITA),
    ("Palu", WITA),
    ("Kendari", WITA),
    ("Gorontalo", WITA),
    ("Mamuju", WITA),
    ("Ambon", WIT),
    ("Ternate", WIT),
    ("Jayapura", WIT),
    ("Sorong", WIT),
    ("Manokwari", WIT),
    ("Timika", WIT),
    ("Merauke", WIT),
];

// Islands and provinces. Kalimantan is split between WIB and WITA, so only
// its provinces are named.
const INDONESIA_REGIONS: &[(&str, Tz)] = &[
    ("Java", WIB),
    ("Jawa", WIB),
    ("Banten", WIB),
    ("Sumatra", WIB),
    ("Sumatera", WIB),
    ("Aceh", WIB),
    ("Riau", WIB),
    ("Lampung", WIB),
    ("Kalimantan Barat", Tz::Asia__Pontianak),
    ("West Kalimantan", Tz::Asia__Pontianak),
    ("Kalimantan Tengah", Tz::Asia__Pontianak),
    ("Central Kalimantan", Tz::Asia__Pontianak),
    ("Bali", WITA),
    ("Lombok", WITA),
    ("Nusa Tenggara", WITA),
    ("Sulawesi", WITA),
    ("Celebes", WITA),
    ("Kalimantan Timur", WITA),
    ("East Kalimantan", WITA),
    ("Kalimantan Selatan", WITA),
    ("South Kalimantan", WITA),
    ("Kalimantan Utara", WITA),
    ("North Kalimantan", WITA),
    ("Maluku", WIT),
    ("Moluccas", WIT),
    ("Papua", WIT),
];

// ---- Abroad. Countries whose addresses may name a namesake of a place
// above (Perth, Scotland; Victoria, Seychelles) or whose name contains one
// (Papua New Guinea); an address that names one gives `None`. ----
const FOREIGN_COUNTRIES: &[&str] = &[
    "United Kingdom",
    "Great Britain",
    "England",
    "Scotland",
    "Wales",
    "Northern Ireland",
    "Ireland",
    "New Zealand",
    "Germany",
    "Deutschland",
    "France",
    "Spain",
    "Espana",
    "Portugal",
    "Italy",
    "Netherlands",
    "Belgium",
    "Switzerland",
    "Austria",
    "Poland",
    "Ukraine",
    "Belarus",
    "Uzbekistan",
    "Kyrgyzstan",
    "Mongolia",
    "China",
    "Hong Kong",
    "Japan",
    "India",
    "Philippines",
    "Malaysia",
    "Singapore",
    "Timor-Leste",
    "East Timor",
    "Papua New Guinea",
    "Seychelles",
    "South Africa",
    "Israel",
    "Argentina",
    "Chile",
    "Colombia",
    "Peru",
    "Venezuela",
    "Bolivia",
    "Costa Rica",
    "Guatemala",
    "El Salvador",
];

// Places abroad whose names contain one above, read as the place abroad.
const FOREIGN_NAMESAKES: &[&str] = &[
    "San Salvador",
    "Las Palmas",
    "Vitoria-Gasteiz",
    "Bahia Blanca",
    "KwaZulu-Natal",
    "Perth and Kinross",
];

// ISO 3166 codes of other countries that are also postal abbreviations
// above: "..., IN" may be Indiana or India.
const FOREIGN_ISO: &[&str] = &[
    "AL", "AM", "AR", "AZ", "BA", "CO", "DE", "ES", "GA", "IL", "IN", "KY", "LA", "MA", "MD", "ME",
    "MG", "MN", "MO", "MS", "MT", "NC", "NE", "NL", "NU", "PA", "PE", "RO", "RS", "SA", "SC", "SD",
    "SE", "SK", "TN", "TO", "VA", "YT",
];

/// Words that make the name next to them a street's: before it in Spanish,
/// Portuguese, French, Indonesian and Russian, after it in English (and
/// Russian, either way). "PR" and "CT" are left out: they are states too.
const STREET_BEFORE: &[&str] = &[
    "calle",
    "c",
    "av",
    "avda",
    "avenida",
    "avenue",
    "calzada",
    "paseo",
    "boulevard",
    "blvd",
    "carretera",
    "camino",
    "privada",
    "cerrada",
    "circuito",
    "andador",
    "rua",
    "r",
    "travessa",
    "alameda",
    "rodovia",
    "estrada",
    "praca",
    "largo",
    "rue",
    "via",
    "jl",
    "jln",
    "jalan",
    "gang",
    "gg",
    "ul",
    "ulitsa",
    "prospekt",
    "pereulok",
    "shosse",
    "bulvar",
    "ул",
    "улица",
    "проспект",
    "просп",
    "пр",
    "пер",
    "переулок",
    "шоссе",
    "бульвар",
    "наб",
    "набережная",
    "пл",
    "площадь",
];
const STREET_AFTER: &[&str] = &[
    "st",
    "street",
    "ave",
    "avenue",
    "av",
    "rd",
    "road",
    "blvd",
    "boulevard",
    "dr",
    "drive",
    "ln",
    "lane",
    "way",
    "hwy",
    "highway",
    "pkwy",
    "parkway",
    "court",
    "pl",
    "place",
    "sq",
    "square",
    "ter",
    "terrace",
    "tce",
    "cres",
    "crescent",
    "pde",
    "parade",
    "cir",
    "circle",
    "trail",
    "row",
    "walk",
    "esplanade",
    "ul",
    "ulitsa",
    "prospekt",
    "pereulok",
    "shosse",
    "ул",
    "улица",
    "проспект",
    "пр",
    "пер",
    "переулок",
    "шоссе",
    "бульвар",
    "наб",
    "набережная",
    "пл",
    "площадь",
];

/// Words that may follow a region's name in its own segment: "Novosibirsk
/// Oblast", "Sulawesi Selatan", "Texas 78701" (digits are allowed too).
const ADMIN_WORDS: &[&str] = &[
    "oblast",
    "obl",
    "krai",
    "kray",
    "okrug",
    "ao",
    "republic",
    "respublika",
    "autonomous",
    "region",
    "province",
    "provinsi",
    "prov",
    "state",
    "estado",
    "territory",
    "область",
    "обл",
    "край",
    "республика",
    "респ",
    "округ",
    "ао",
    "utara",
    "selatan",
    "barat",
    "timur",
    "tengah",
    "tenggara",
    "daya",
];

/// Words written before a postal code: "C.P. 06600", "CEP 01310-100".
const CODE_LABELS: &[&str] = &["cp", "cep", "zip"];

/// What a name in the tables is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    City,
    Region,
    Nation,
}

#[derive(Debug, Clone, Copy)]
struct Place {
    country: Country,
    kind: Kind,
    /// `None` for a country, which spans several zones, and for places
    /// abroad.
    zone: Option<Tz>,
}

/// A country and the zone an abbreviation gives there (`None`: the
/// abbreviation is that country's ISO code).
type Candidate = (Country, Option<Tz>);

/// A name found in an address: `words[start..end]`.
#[derive(Debug)]
struct Found {
    start: usize,
    end: usize,
    place: Place,
}

/// The tables, read into words once.
struct Dictionary {
    /// Names by their first word, each with all its words.
    names: HashMap<String, Vec<(Vec<String>, Place)>>,
    /// Postal abbreviations and ISO codes, each with whose it may be.
    abbreviations: HashMap<String, Vec<Candidate>>,
}

static DICTIONARY: LazyLock<Dictionary> = LazyLock::new(Dictionary::new);

impl Dictionary {
    fn new() -> Self {
        let mut dictionary = Dictionary {
            names: HashMap::new(),
            abbreviations: HashMap::new(),
        };
        for gazetteer in &GAZETTEERS {
            let country = gazetteer.country;
            for (kind, table) in [
                (Kind::City, gazetteer.cities),
                (Kind::Region, gazetteer.regions),
            ] {
                for &(name, zone) in table {
                    let zone = Some(zone);
                    dictionary.add_name(
                        name,
                        Place {
                            country,
                            kind,
                            zone,
                        },
                    );
                }
            }
            for name in gazetteer.names {
                let place = Place {
                    country,
                    kind: Kind::Nation,
                    zone: None,
                };
                dictionary.add_name(name, place);
            }
            for &(abbreviation, zone) in gazetteer.postal {
                dictionary.add_abbreviation(abbreviation, (country, Some(zone)));
            }
            dictionary.add_abbreviation(gazetteer.iso, (country, None));
        }
        let elsewhere = |kind| Place {
            country: Country::Elsewhere,
            kind,
            zone: None,
        };
        for name in FOREIGN_COUNTRIES {
            dictionary.add_name(name, elsewhere(Kind::Nation));
        }
        for name in FOREIGN_NAMESAKES {
            dictionary.add_name(name, elsewhere(Kind::City));
        }
        for code in FOREIGN_ISO {
            dictionary.add_abbreviation(code, (Country::Elsewhere, None));
        }
        dictionary
    }

    fn add_name(&mut self, name: &str, place: Place) {
        let words: Vec<String> = words(name).into_iter().map(|word| word.text).collect();
        let first = words[0].clone();
        self.names.entry(first).or_default().push((words, place));
    }

    fn add_abbreviation(&mut self, abbreviation: &str, candidate: Candidate) {
        let key = words(abbreviation).remove(0).text;
        self.abbreviations.entry(key).or_default().push(candidate);
    }

    /// The names in `words`, left to right, the longest at each word.
    fn find(&self, words: &[Word]) -> Vec<Found> {
        let mut found = Vec::new();
        let mut start = 0;
        while start < words.len() {
            let longest = self
                .names
                .get(&words[start].text)
                .into_iter()
                .flatten()
                .filter(|(name, _)| spells(words, start, name))
                .max_by_key(|(name, _)| name.len());
            match longest {
                Some((name, place)) => {
                    let end = start + name.len();
                    found.push(Found {
                        start,
                        end,
                        place: *place,
                    });
                    start = end;
                }
                None => start += 1,
            }
        }
        found
    }

    /// Whether `word` is the postal abbreviation of a state or province.
    fn is_postal(&self, word: &str) -> bool {
        self.abbreviations
            .get(word)
            .is_some_and(|candidates| candidates.iter().any(|(_, zone)| zone.is_some()))
    }

    /// The country of an ISO code: ours, or any other two letters but our
    /// abbreviations ("UK", "FR").
    fn country_of_code(&self, word: &str) -> Option<Country> {
        if let Some(gazetteer) = GAZETTEERS.iter().find(|g| g.iso == word) {
            return Some(gazetteer.country);
        }
        let two_letters = word.len() == 2 && word.bytes().all(|b| b.is_ascii_lowercase());
        let foreign = self
            .abbreviations
            .get(word)
            .is_some_and(|candidates| candidates.contains(&(Country::Elsewhere, None)));
        (foreign || (two_letters && !self.is_postal(word))).then_some(Country::Elsewhere)
    }

    /// The country of an ISO code ending `words` as a segment of its own
    /// after a postal abbreviation or code ("Vancouver, BC, CA"), where it
    /// cannot be a state's abbreviation itself.
    fn trailing_country_code(&self, words: &[Word]) -> Option<Country> {
        let (last, rest) = words.split_last()?;
        let before = rest.last()?;
        if before.segment == last.segment {
            return None;
        }
        let country = self.country_of_code(&last.text)?;
        let after_postal = self.is_postal(&before.text) || postal_code_at_end(rest).is_some();
        after_postal.then_some(country)
    }

    /// Whose the abbreviation ending `words` may be, if one does: before a
    /// postal code (those of the countries whose codes have its shape), or
    /// as a segment of its own after another (all of them, and the country
    /// an ISO code names).
    fn postal_abbreviation(&self, words: &[Word]) -> Option<Vec<Candidate>> {
        let code = postal_code_at_end(words);
        let mut end = code.map_or(words.len(), |(_, start)| start);
        if code.is_some() {
            while end > 0 && CODE_LABELS.contains(&words[end - 1].text.as_str()) {
                end -= 1;
            }
        }
        let word = &words[end.checked_sub(1)?];
        let candidates = self.abbreviations.get(&word.text);
        if let Some((shape, _)) = code {
            let fitting: Vec<Candidate> = candidates?
                .iter()
                .filter(|(country, zone)| zone.is_some() && codes_of(*country).contains(&shape))
                .copied()
                .collect();
            return (!fitting.is_empty()).then_some(fitting);
        }
        let alone = end >= 2 && words[end - 2].segment != word.segment;
        if !alone {
            return None;
        }
        match candidates {
            Some(candidates) => Some(candidates.clone()),
            None => self
                .country_of_code(&word.text)
                .map(|country| vec![(country, None)]),
        }
    }
}

/// The postal code forms of a country's addresses.
fn codes_of(country: Country) -> &'static [PostalCode] {
    GAZETTEERS
        .iter()
        .find(|g| g.country == country)
        .map_or(&[], |g| g.codes)
}

/// Whether `name` is spelt by the words from `start`, all in one segment.
fn spells(words: &[Word], start: usize, name: &[String]) -> bool {
    let segment = words[start].segment;
    words.get(start..start + name.len()).is_some_and(|span| {
        span.iter()
            .zip(name)
            .all(|(word, name)| word.text == *name && word.segment == segment)
    })
}

/// The postal code that ends `words`, if one does, and where it starts.
fn postal_code_at_end(words: &[Word]) -> Option<(PostalCode, usize)> {
    let n = words.len();
    let last = words.last()?.text.as_str();
    if n >= 2 {
        let before = words[n - 2].text.as_str();
        if shaped(before, "11111") && shaped(last, "1111") {
            return Some((PostalCode::ZipPlusFour, n - 2));
        }
        if shaped(before, "11111") && shaped(last, "111") {
            return Some((PostalCode::Cep, n - 2));
        }
        if shaped(before, "a1a") && shaped(last, "1a1") {
            return Some((PostalCode::Canadian, n - 2));
        }
    }
    let code = if shaped(last, "a1a1a1") {
        PostalCode::Canadian
    } else if shaped(last, "11111111") {
        PostalCode::Cep
    } else if shaped(last, "11111") {
        PostalCode::FiveDigits
    } else if shaped(last, "1111") {
        PostalCode::FourDigits
    } else {
        return None;
    };
    Some((code, n - 1))
}

/// Whether `word` has a digit where `pattern` has '1' and a Latin letter
/// where it has 'a'.
fn shaped(word: &str, pattern: &str) -> bool {
    word.len() == pattern.len()
        && word.bytes().zip(pattern.bytes()).all(|(w, p)| match p {
            b'1' => w.is_ascii_digit(),
            _ => w.is_ascii_lowercase(),
        })
}

/// The words of `found`'s segment before it and after it.
fn around<'a>(words: &'a [Word], found: &Found) -> (&'a [Word], &'a [Word]) {
    let segment = words[found.start].segment;
    let first = words[..found.start]
        .iter()
        .rposition(|word| word.segment != segment)
        .map_or(0, |k| k + 1);
    let last = words[found.end..]
        .iter()
        .position(|word| word.segment != segment)
        .map_or(words.len(), |k| found.end + k);
    (&words[first..found.start], &words[found.end..last])
}

fn is_street(words: &[Word], found: &Found) -> bool {
    let (before, after) = around(words, found);
    before
        .last()
        .is_some_and(|word| STREET_BEFORE.contains(&word.text.as_str()))
        || after
            .first()
            .is_some_and(|word| STREET_AFTER.contains(&word.text.as_str()))
}

fn has_digit(word: &Word) -> bool {
    word.text.bytes().any(|b| b.is_ascii_digit())
}

/// Whether `found` is all its segment but numbers ("Россия, 630099").
fn whole_segment(words: &[Word], found: &Found) -> bool {
    let (before, after) = around(words, found);
    before.iter().chain(after).all(has_digit)
}

/// Whether nothing but administrative words, postal abbreviations and codes
/// follow `found` in its segment ("Victoria 3000", not "Victoria St").
fn ends_its_segment(words: &[Word], found: &Found, dictionary: &Dictionary) -> bool {
    let (_, after) = around(words, found);
    after.iter().all(|word| {
        has_digit(word)
            || ADMIN_WORDS.contains(&word.text.as_str())
            || dictionary.is_postal(&word.text)
    })
}

/// One word of an address, folded, and the segment it is in.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Word {
    text: String,
    segment: usize,
}

/// The words of `text`, as rule 1 of [`time_zone_of_address`] reads them.
fn words(text: &str) -> Vec<Word> {
    let mut words: Vec<Word> = Vec::new();
    let mut segment = 0;
    // What lies between the word being read and the one before it.
    let mut gap = String::new();
    // Whether the last word is one letter, or initials joined ("B.C.").
    let mut initials = false;
    let mut chars = text.chars().filter(|&c| !is_silent(c)).peekable();
    while let Some(c) = chars.next() {
        if !c.is_alphanumeric() {
            gap.push(c);
            continue;
        }
        let mut text = String::new();
        fold_into(c, &mut text);
        while let Some(c) = chars.next_if(|c| c.is_alphanumeric()) {
            fold_into(c, &mut text);
        }
        if !words.is_empty() && breaks_segment(&gap) {
            segment += 1;
        }
        let letter = text.chars().count() == 1 && text.chars().all(char::is_alphabetic);
        match words.last_mut() {
            Some(last) if letter && initials && gap == "." && last.segment == segment => {
                last.text.push_str(&text);
            }
            _ => {
                initials = letter;
                let text = match text.as_str() {
                    "saint" => "st".to_string(),
                    "ft" => "fort".to_string(),
                    "cd" => "ciudad".to_string(),
                    _ => text,
                };
                words.push(Word { text, segment });
            }
        }
        gap.clear();
    }
    words
}

/// Apostrophes ("St. John's", "Tyumen'") and combining accents (text in
/// decomposed form) are dropped without splitting the word.
fn is_silent(c: char) -> bool {
    matches!(c, '\'' | '’' | 'ʼ' | '`' | '´' | '\u{300}'..='\u{36f}')
}

/// Whether the separators between two words end a segment: a comma and its
/// kin, or a dash with a space beside it ("São Paulo - SP", but not
/// "Rostov-on-Don").
fn breaks_segment(gap: &str) -> bool {
    let dash = gap
        .chars()
        .any(|c| matches!(c, '-' | '‐' | '‒' | '–' | '—' | '―'));
    gap.chars().any(|c| {
        matches!(
            c,
            ',' | ';' | '/' | '\\' | '|' | '(' | ')' | '[' | ']' | '\n' | '\r'
        )
    }) || (dash && gap.chars().any(char::is_whitespace))
}

/// Lowercase, without the accents of Latin letters, "ё" read as "е".
fn fold_into(c: char, out: &mut String) {
    for c in c.to_lowercase() {
        match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => out.push('a'),
            'æ' => out.push_str("ae"),
            'ç' | 'ć' | 'ĉ' | 'ċ' | 'č' => out.push('c'),
            'ď' | 'đ' | 'ð' => out.push('d'),
            'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' => out.push('e'),
            'ĝ' | 'ğ' | 'ġ' | 'ģ' => out.push('g'),
            'ì' | 'í' | 'î' | 'ï' | 'ĩ' | 'ī' | 'ĭ' | 'į' | 'ı' => out.push('i'),
            'ķ' => out.push('k'),
            'ĺ' | 'ļ' | 'ľ' | 'ŀ' | 'ł' => out.push('l'),
            'ñ' | 'ń' | 'ņ' | 'ň' => out.push('n'),
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ŏ' | 'ő' => out.push('o'),
            'œ' => out.push_str("oe"),
            'ŕ' | 'ŗ' | 'ř' => out.push('r'),
            'ś' | 'ŝ' | 'ş' | 'š' | 'ș' => out.push('s'),
            'ß' => out.push_str("ss"),
            'ţ' | 'ť' | 'ț' => out.push('t'),
            'ù' | 'ú' | 'û' | 'ü' | 'ũ' | 'ū' | 'ŭ' | 'ů' | 'ű' | 'ų' => out.push('u'),
            'ý' | 'ÿ' | 'ŷ' => out.push('y'),
            'ź' | 'ż' | 'ž' => out.push('z'),
            'þ' => out.push_str("th"),
            'ё' => out.push('е'),
            // "İ" lowercases to "i" and a combining dot.
            '\u{300}'..='\u{36f}' => {}
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zone(text: &str) -> Option<&'static str> {
        time_zone_of_address(text).map(|tz| tz.name())
    }

    #[test]
    fn russia_by_city_in_latin_and_cyrillic() {
        assert_eq!(zone("168 Market St, Moscow"), Some("Europe/Moscow"));
        assert_eq!(
            zone("12 Lenina ul., Novosibirsk, 630099"),
            Some("Asia/Novosibirsk")
        );
        assert_eq!(zone("Vladivostok"), Some("Asia/Vladivostok"));
        assert_eq!(
            zone("Россия, 620014, г. Екатеринбург, ул. Ленина, 24"),
            Some("Asia/Yekaterinburg")
        );
        assert_eq!(zone("St. Petersburg, Nevsky pr. 1"), Some("Europe/Moscow"));
        assert_eq!(zone("Sankt-Peterburg"), Some("Europe/Moscow"));
        assert_eq!(zone("Rostov-on-Don"), Some("Europe/Moscow"));
        assert_eq!(zone("г. Ростов-на-Дону"), Some("Europe/Moscow"));
        assert_eq!(zone("Kaliningrad, 236022"), Some("Europe/Kaliningrad"));
        assert_eq!(zone("Samara"), Some("Europe/Samara"));
        assert_eq!(zone("Omsk"), Some("Asia/Omsk"));
        assert_eq!(zone("Krasnoyarsk"), Some("Asia/Krasnoyarsk"));
        assert_eq!(zone("Irkutsk"), Some("Asia/Irkutsk"));
        assert_eq!(zone("Ulan-Ude"), Some("Asia/Irkutsk"));
        assert_eq!(zone("Yakutsk"), Some("Asia/Yakutsk"));
        assert_eq!(zone("Magadan"), Some("Asia/Magadan"));
        assert_eq!(
            zone("Petropavlovsk-Kamchatsky, Kamchatka Krai"),
            Some("Asia/Kamchatka")
        );
        assert_eq!(zone("Kazan, Tatarstan, Russia"), Some("Europe/Moscow"));
        assert_eq!(zone("Республика Татарстан"), Some("Europe/Moscow"));
        assert_eq!(zone("Primorsky Krai, RU"), Some("Asia/Vladivostok"));
        assert_eq!(
            zone("Tyumen', ul. Respubliki 1"),
            Some("Asia/Yekaterinburg")
        );
    }

    #[test]
    fn kazakhstan_by_city() {
        assert_eq!(zone("Almaty, Abay Ave 10"), Some("Asia/Almaty"));
        assert_eq!(zone("Astana, Kazakhstan"), Some("Asia/Almaty"));
        assert_eq!(zone("Актобе"), Some("Asia/Aqtobe"));
        assert_eq!(zone("Atyrau, KZ"), Some("Asia/Atyrau"));
        assert_eq!(zone("Петропавл"), Some("Asia/Almaty"));
    }

    #[test]
    fn united_states_by_state_and_city() {
        assert_eq!(
            zone("500 Main St, Austin, TX 78701"),
            Some("America/Chicago")
        );
        assert_eq!(zone("400 Pine St, WA 98101"), Some("America/Los_Angeles"));
        assert_eq!(
            zone("Seattle, WA 98101-1234, USA"),
            Some("America/Los_Angeles")
        );
        assert_eq!(zone("El Paso, Texas"), Some("America/Denver"));
        assert_eq!(zone("Phoenix, AZ"), Some("America/Phoenix"));
        assert_eq!(zone("Brooklyn, NY 11201"), Some("America/New_York"));
        assert_eq!(zone("Dover, DE 19901, US"), Some("America/New_York"));
        assert_eq!(
            zone("1600 Pennsylvania Ave NW, Washington, D.C. 20500"),
            Some("America/New_York")
        );
        assert_eq!(zone("Springfield, Illinois"), Some("America/Chicago"));
        assert_eq!(zone("Anchorage, Alaska"), Some("America/Anchorage"));
        assert_eq!(zone("Honolulu, HI 96813"), Some("Pacific/Honolulu"));
        assert_eq!(zone("Ft. Worth"), Some("America/Chicago"));
        assert_eq!(zone("Los Angeles, CA"), Some("America/Los_Angeles"));
    }

    #[test]
    fn canada_by_province_and_city() {
        assert_eq!(zone("Toronto, ON M5V 2T6"), Some("America/Toronto"));
        assert_eq!(zone("Vancouver, B.C."), Some("America/Vancouver"));
        assert_eq!(zone("Vancouver, BC, CA"), Some("America/Vancouver"));
        assert_eq!(zone("Calgary, Alberta"), Some("America/Edmonton"));
        assert_eq!(zone("Saskatoon SK S7K 1J5"), Some("America/Regina"));
        assert_eq!(zone("Halifax, Nova Scotia"), Some("America/Halifax"));
        assert_eq!(zone("St. John's, NL A1C 5M2"), Some("America/St_Johns"));
        assert_eq!(zone("Montréal (Québec)"), Some("America/Toronto"));
        assert_eq!(zone("Winnipeg, Canada"), Some("America/Winnipeg"));
        assert_eq!(zone("Whitehorse, Yukon"), Some("America/Whitehorse"));
        assert_eq!(zone("Surrey, BC V3T 0A1"), Some("America/Vancouver"));
        assert_eq!(zone("Toronto, CA"), Some("America/Toronto"));
    }

    #[test]
    fn australia_by_state_and_city() {
        assert_eq!(
            zone("1 George St, Sydney NSW 2000"),
            Some("Australia/Sydney")
        );
        assert_eq!(zone("Perth WA 6000"), Some("Australia/Perth"));
        assert_eq!(zone("Perth, WA"), Some("Australia/Perth"));
        assert_eq!(zone("Adelaide SA 5000"), Some("Australia/Adelaide"));
        assert_eq!(
            zone("Fortitude Valley QLD 4006"),
            Some("Australia/Brisbane")
        );
        assert_eq!(zone("Hobart, Tasmania"), Some("Australia/Hobart"));
        assert_eq!(zone("Darwin NT 0800"), Some("Australia/Darwin"));
        assert_eq!(
            zone("Melbourne, Victoria 3000"),
            Some("Australia/Melbourne")
        );
        assert_eq!(zone("Canberra ACT 2601"), Some("Australia/Sydney"));
        // A city keeps its own clock within its state.
        assert_eq!(zone("Broken Hill NSW 2880"), Some("Australia/Broken_Hill"));
    }

    #[test]
    fn brazil_by_state_and_city() {
        assert_eq!(
            zone("Av. Paulista 1000, São Paulo - SP"),
            Some("America/Sao_Paulo")
        );
        assert_eq!(
            zone("Rua da Aurora 100, Boa Vista, Recife - PE, 50050-000"),
            Some("America/Recife")
        );
        assert_eq!(
            zone("Av. Eduardo Ribeiro, Manaus/AM"),
            Some("America/Manaus")
        );
        assert_eq!(zone("Rio Branco - AC"), Some("America/Rio_Branco"));
        assert_eq!(zone("Cuiabá, MT"), Some("America/Cuiaba"));
        assert_eq!(zone("Salvador, Bahia"), Some("America/Bahia"));
        assert_eq!(zone("Centro, Fortaleza, CE"), Some("America/Fortaleza"));
        // A state abbreviation alone after a dash, and a CEP's shape.
        assert_eq!(zone("Rua Um, 10 - RR"), Some("America/Boa_Vista"));
        assert_eq!(
            zone("Rua Dois 5, Centro, PA 66010-000"),
            Some("America/Belem")
        );
    }

    #[test]
    fn mexico_by_state_and_city() {
        assert_eq!(zone("Calle 5, Tijuana, B.C."), Some("America/Tijuana"));
        assert_eq!(
            zone("Av. Reforma 222, Juárez, 06600 Ciudad de México, CDMX"),
            Some("America/Mexico_City")
        );
        assert_eq!(
            zone("Monterrey, N.L., C.P. 64000"),
            Some("America/Monterrey")
        );
        assert_eq!(zone("Cancún, Q. Roo"), Some("America/Cancun"));
        assert_eq!(zone("Hermosillo, Son."), Some("America/Hermosillo"));
        assert_eq!(zone("Mazatlán, Sinaloa"), Some("America/Mazatlan"));
        assert_eq!(zone("Calle 60, Mérida, Yuc."), Some("America/Merida"));
        assert_eq!(zone("Cd. Juárez, Chih."), Some("America/Ciudad_Juarez"));
        assert_eq!(zone("Colonia Centro, Sonora"), Some("America/Hermosillo"));
        assert_eq!(zone("México, D.F."), Some("America/Mexico_City"));
        assert_eq!(zone("Ensenada, B.C. 22800"), Some("America/Tijuana"));
    }

    #[test]
    fn indonesia_by_island_and_city() {
        assert_eq!(
            zone("Jl. Sudirman No. 1, Jakarta Pusat"),
            Some("Asia/Jakarta")
        );
        assert_eq!(zone("Denpasar, Bali"), Some("Asia/Makassar"));
        assert_eq!(zone("Kuta, Bali, Indonesia"), Some("Asia/Makassar"));
        assert_eq!(zone("Makassar, Sulawesi Selatan"), Some("Asia/Makassar"));
        assert_eq!(zone("Jayapura, Papua"), Some("Asia/Jayapura"));
        assert_eq!(zone("Pontianak, Kalimantan Barat"), Some("Asia/Pontianak"));
        assert_eq!(zone("Balikpapan"), Some("Asia/Makassar"));
        assert_eq!(zone("Ambon, Maluku"), Some("Asia/Jayapura"));
    }

    #[test]
    fn accents_case_and_decomposed_text_do_not_matter() {
        for text in [
            "São Paulo",
            "Sao Paulo",
            "SÃO PAULO",
            "sao paulo",
            "Sa\u{303}o Paulo",
        ] {
            assert_eq!(zone(text), Some("America/Sao_Paulo"), "{text:?}");
        }
        assert_eq!(zone("Québec"), Some("America/Toronto"));
        assert_eq!(zone("QUEBEC"), Some("America/Toronto"));
        assert_eq!(zone("МОСКВА"), Some("Europe/Moscow"));
        assert_eq!(zone("Орел"), Some("Europe/Moscow"));
        assert_eq!(zone("Florianópolis"), Some("America/Sao_Paulo"));
    }

    #[test]
    fn names_match_whole_words_only() {
        assert_eq!(zone("Tomsk"), Some("Asia/Tomsk"));
        assert_eq!(zone("Omsk"), Some("Asia/Omsk"));
        assert_eq!(zone("ул. Томская, Омск"), Some("Asia/Omsk"));
        assert_eq!(zone("Perthshire"), None);
        assert_eq!(zone("Tomskaya oblast"), None);
        assert_eq!(zone("Komsomolsk-on-Amur"), Some("Asia/Vladivostok"));
        assert_eq!(zone("Nizhny Novgorod"), Some("Europe/Moscow"));
        assert_eq!(zone("Albuquerque, New Mexico"), Some("America/Denver"));
        assert_eq!(zone("Santa Fe, New Mexico"), Some("America/Denver"));
        assert_eq!(zone("Vitória da Conquista"), Some("America/Bahia"));
    }

    #[test]
    fn abbreviations_count_only_in_the_postal_position() {
        // A state's abbreviation inside the text is a word.
        assert_eq!(zone("Apartment 2 or 3, Main St"), None);
        assert_eq!(zone("WA 6000 Sydney"), Some("Australia/Sydney"));
        assert_eq!(zone("Somewhere TX"), None);
        // The postal code's shape tells whose abbreviation it is.
        assert_eq!(zone("Main St, WA 98101"), Some("America/Los_Angeles"));
        assert_eq!(zone("Hay St, WA 6000"), Some("Australia/Perth"));
        assert_eq!(zone("Fishers, IN 46037"), Some("America/New_York"));
        assert_eq!(zone("Charlottetown, PE C1A 1A1"), Some("America/Halifax"));
    }

    #[test]
    fn an_abbreviation_several_countries_use_gives_none_unless_told() {
        // Washington or Western Australia, Indiana or India, Maine or
        // Montenegro, British Columbia or Baja California.
        assert_eq!(zone("12 Hay St, WA"), None);
        assert_eq!(zone("5 Main St, Fishers, IN"), None);
        assert_eq!(zone("Main St, ME"), None);
        assert_eq!(zone("Victoria, BC"), None);
        assert_eq!(zone("10115 Berlin, DE"), None);
        // The city tells.
        assert_eq!(zone("Curitiba, PR"), Some("America/Sao_Paulo"));
        assert_eq!(zone("Jakarta, ID"), Some("Asia/Jakarta"));
    }

    #[test]
    fn the_last_named_city_agreeing_with_the_state_wins() {
        // Streets come before the city.
        assert_eq!(zone("100 Victoria St, Toronto"), Some("America/Toronto"));
        assert_eq!(
            zone("Rua Manaus 5, Curitiba - PR"),
            Some("America/Sao_Paulo")
        );
        assert_eq!(zone("Jl. Bali 5, Surabaya"), Some("Asia/Jakarta"));
        assert_eq!(zone("Ontario St, Chicago"), Some("America/Chicago"));
        assert_eq!(
            zone("Moscow Street 5, Novosibirsk"),
            Some("Asia/Novosibirsk")
        );
        // Two cities: the last.
        assert_eq!(
            zone("Khabarovsk; now lives in Irkutsk"),
            Some("Asia/Irkutsk")
        );
        // The city over its state.
        assert_eq!(zone("Melbourne, Victoria"), Some("Australia/Melbourne"));
        // A namesake abroad gives way to the state named.
        assert_eq!(zone("St. Petersburg, FL 33701"), Some("America/New_York"));
        assert_eq!(zone("Sydney, NS B1P 1A1"), Some("America/Halifax"));
        assert_eq!(zone("Sydney, Nova Scotia"), Some("America/Halifax"));
        assert_eq!(zone("Sydney, Nova Scotia, CA"), Some("America/Halifax"));
        assert_eq!(zone("Perth, ON"), Some("America/Toronto"));
        assert_eq!(zone("Melbourne, FL 32901"), Some("America/New_York"));
        assert_eq!(zone("Perth Amboy, NJ"), Some("America/New_York"));
        assert_eq!(zone("Tula, Hgo."), Some("America/Mexico_City"));
    }

    #[test]
    fn places_abroad_and_unknown_addresses_give_none() {
        for text in [
            "",
            "   ",
            "1 Main Street",
            "Springfield",
            "Berlin, Germany",
            "Paris, FR",
            "Perth, Scotland",
            "Perth, UK",
            "Port Moresby, Papua New Guinea",
            "San Salvador, El Salvador",
            "Las Palmas de Gran Canaria",
            "Russia",
            "Lenina 5, RU",
            "12345",
            "Ship to: ,,, - / ()",
        ] {
            assert_eq!(zone(text), None, "{text:?}");
        }
    }

    #[test]
    fn words_are_folded_and_split_into_segments() {
        let texts = |text: &str| -> Vec<(String, usize)> {
            words(text)
                .into_iter()
                .map(|word| (word.text, word.segment))
                .collect()
        };
        let owned = |list: &[(&str, usize)]| -> Vec<(String, usize)> {
            list.iter().map(|(t, s)| (t.to_string(), *s)).collect()
        };
        assert_eq!(
            texts("Tijuana, B.C. 22000"),
            owned(&[("tijuana", 0), ("bc", 1), ("22000", 1)])
        );
        assert_eq!(
            texts("São Paulo - SP/Brasil"),
            owned(&[("sao", 0), ("paulo", 0), ("sp", 1), ("brasil", 2)])
        );
        assert_eq!(
            texts("Rostov-on-Don, Saint John's"),
            owned(&[
                ("rostov", 0),
                ("on", 0),
                ("don", 0),
                ("st", 1),
                ("johns", 1)
            ])
        );
        assert_eq!(texts("J. Smith"), owned(&[("j", 0), ("smith", 0)]));
    }

    /// Every name, read as the tables are, with the kind and country it is.
    fn all_names() -> Vec<(&'static str, Place)> {
        let mut names = Vec::new();
        for g in &GAZETTEERS {
            for (kind, table) in [(Kind::City, g.cities), (Kind::Region, g.regions)] {
                for &(name, zone) in table {
                    let place = Place {
                        country: g.country,
                        kind,
                        zone: Some(zone),
                    };
                    names.push((name, place));
                }
            }
            for &name in g.names {
                let place = Place {
                    country: g.country,
                    kind: Kind::Nation,
                    zone: None,
                };
                names.push((name, place));
            }
        }
        for (kind, table) in [
            (Kind::Nation, FOREIGN_COUNTRIES),
            (Kind::City, FOREIGN_NAMESAKES),
        ] {
            for &name in table {
                let place = Place {
                    country: Country::Elsewhere,
                    kind,
                    zone: None,
                };
                names.push((name, place));
            }
        }
        names
    }

    #[test]
    fn every_name_is_one_segment_and_no_two_read_alike() {
        let mut seen = std::collections::HashMap::new();
        for (name, _) in all_names() {
            let read = words(name);
            assert!(!read.is_empty(), "{name:?}");
            assert!(read.iter().all(|w| w.segment == 0), "{name:?}");
            let key: Vec<String> = read.into_iter().map(|w| w.text).collect();
            if let Some(other) = seen.insert(key, name) {
                panic!("{name:?} reads as {other:?}");
            }
        }
    }

    #[test]
    fn every_city_and_region_alone_gives_its_zone() {
        for (name, place) in all_names() {
            if matches!(place.kind, Kind::City | Kind::Region) && place.zone.is_some() {
                assert_eq!(time_zone_of_address(name), place.zone, "{name:?}");
            }
        }
    }

    #[test]
    fn abbreviations_are_single_words_once_per_country() {
        for g in &GAZETTEERS {
            let mut seen = std::collections::HashSet::new();
            for &(abbreviation, _) in g.postal {
                let read = words(abbreviation);
                assert_eq!(read.len(), 1, "{abbreviation:?}");
                assert!(seen.insert(read[0].text.clone()), "{abbreviation:?}");
            }
        }
        // Other countries' ISO codes listed are those that collide with an
        // abbreviation; any other two letters are read as abroad anyway.
        for code in FOREIGN_ISO {
            assert!(DICTIONARY.is_postal(&code.to_lowercase()), "{code}");
        }
    }
}
