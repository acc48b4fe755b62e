namespace NewsCms.Benchmarks.Seeding;

/// <summary>
/// Word lists for generated news text. Common words are drawn often (a Zipf-like weighting by position), topic words
/// name tags and sections, and made-up proper nouns (places, people, organisations) give the long tail that real
/// search queries hit.
/// </summary>
internal static class Words
{
    /// <summary>General vocabulary, roughly most frequent first.</summary>
    public static readonly string[] Common = """
        the of and to in a that for on with as by at from was is said it has have be are its but not this were will
        their after more than over about year new people government city local council public plan police people first
        two last also when into would could there who which been up out what other some one three time many after
        week report officials service support years state country national minister community workers families health
        including number according since while during under against between made told still people work part percent
        school schools children water energy housing market prices cost costs money budget tax taxes jobs business
        company companies industry bank banks growth economy trade deal talks vote election campaign party leader
        leaders court judge case law rules policy change changes data study research university hospital doctors
        patients care climate weather storm rain flooding heat summer winter season team match game players coach
        league final win victory record fans stadium music festival film book art museum theatre show audience
        night morning day days month months early late long short high low major small large big old young free
        open closed plans project projects building road roads bridge rail train trains bus airport transport
        traffic residents neighbourhood district region area areas village town centre street streets park river
        coast island border security defence military forces troops peace crisis emergency response agency
        officials spokesperson statement announced expected likely continue continued began started ended set
        set put take taken took give given gave find found show shows showed say says called call help helped
        need needs want wants hope hopes expect expects believe believes think thinks know known seen see look
        looking make making keep kept bring brought move moved build built open opened close closed raise raised
        cut cuts increase increased fall fell rise rose reach reached return returned lead led hold held meet met
        meeting members board committee group groups union unions staff teachers nurses drivers farmers owners
        visitors users customers readers voters residents parents students researchers scientists experts
        analysts critics supporters opponents lawmakers ministers mayor governor president chief director
        important significant serious clear strong weak higher lower better worse best worst recent current
        former future public private social political economic financial environmental legal medical digital
        online across around before behind beyond toward within without through whether however although because
        instead already almost again ever never often only just even much most less least very quite rather
        million billion thousand hundred second third fourth fifth half quarter several few dozen
        """.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Subjects for tags and headlines.</summary>
    public static readonly string[] Topics = """
        housing transport energy climate water health education schools universities policing courts elections
        budget taxes trade farming fisheries tourism aviation railways roads cycling parks libraries museums
        theatre cinema music festivals football rugby cricket tennis athletics swimming sailing cycling-races
        technology startups banking insurance pensions wages employment unions strikes retail markets property
        planning heritage wildlife forests rivers coastlines flooding drought wildfires storms pollution recycling
        waste mining manufacturing shipping ports broadband telecoms media publishing journalism science space
        medicine vaccines hospitals nursing mental-health childcare ageing migration refugees borders defence
        diplomacy sanctions treaties parliament councils mayors referendums courts-martial policing-reform
        prisons justice human-rights privacy cybersecurity artificial-intelligence robotics batteries solar wind
        nuclear hydrogen oil gas electricity grids food restaurants wine beer coffee fashion design architecture
        photography books poetry comedy television radio podcasts gaming esports chess religion charities
        volunteering sport-funding transport-fares bus-services tram-lines motorways bridges tunnels airports
        """.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Select(t => t.Replace('-', ' ')).Distinct().ToArray();

    /// <summary>Qualifiers that make a topic into a narrower tag ("Rural housing", "Youth football").</summary>
    public static readonly string[] Qualifiers = """
        rural urban regional national local coastal northern southern eastern western youth womens senior
        public private community family small-business global european student veteran indigenous island
        mountain city-centre suburban cross-border digital green low-income emergency long-term winter summer
        """.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Select(t => t.Replace('-', ' ')).ToArray();

    public static readonly string[] Sections =
    [
        "News", "Politics", "Business", "World", "Science", "Technology", "Health", "Sport", "Culture", "Opinion",
        "Environment", "Education", "Travel", "Food", "Money", "Books", "Music", "Film", "Local", "Weather",
    ];

    public static readonly string[] FirstNames = """
        Ada Alan Alice Amara Ana Anders Anna Ben Bianca Carlos Chen Chloe Clara Daniel David Elena Emma Erik Fatima
        Felix Grace Hana Hannah Ines Isaac Ivan James Jana Javier Julia Kai Kenji Laura Leo Lina Lucas Maya Mei
        Mohammed Nadia Nina Noah Olga Omar Oscar Paula Pedro Priya Rafael Rosa Sam Sara Sofia Tariq Tom Uma Victor
        Yara Zoe
        """.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);

    public static readonly string[] LastNames = """
        Abbott Adeyemi Alvarez Andersen Bauer Becker Brennan Castro Chowdhury Costa Dubois Eriksen Evans Fischer
        Garcia Gupta Hansen Hughes Ibrahim Ivanova Jensen Jones Kato Keller Khan Kowalski Larsen Lopez Martin
        Meyer Moreau Murphy Nakamura Novak Okafor Olsen Patel Petrov Quinn Reyes Rossi Santos Schmidt Silva Singh
        Sorensen Suzuki Tanaka Torres Varga Wagner Walsh Weber Wilson Wong Yilmaz Young Zhang Ziegler
        """.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);

    public static readonly string[] JobTitles =
    [
        "Reporter", "Senior reporter", "Political correspondent", "Business editor", "Science writer", "Health correspondent",
        "Sports reporter", "Culture critic", "Data journalist", "Foreign correspondent", "Local news reporter", "Columnist",
    ];

    private static readonly string[] Onsets = ["b", "br", "c", "d", "dr", "f", "g", "gr", "h", "k", "l", "m", "n", "p", "r", "s", "st", "t", "tr", "v", "w", "z"];
    private static readonly string[] Vowels = ["a", "e", "i", "o", "u", "ai", "ea", "ou"];
    private static readonly string[] Codas = ["", "n", "r", "l", "s", "th", "m", "ck", "nd", "rt", "x"];

    /// <summary>Distinct made-up proper nouns ("Dravenmor", "Kestil"): places, people and organisations of the news.</summary>
    public static string[] ProperNouns(int count, int seed)
    {
        var random = new Random(seed);
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var result = new List<string>(count);
        while (result.Count < count)
        {
            var syllables = random.Next(2, 4);
            var word = string.Concat(Enumerable.Range(0, syllables).Select(_ =>
                Onsets[random.Next(Onsets.Length)] + Vowels[random.Next(Vowels.Length)] + Codas[random.Next(Codas.Length)]));
            var name = char.ToUpperInvariant(word[0]) + word[1..];
            if (name.Length >= 5 && names.Add(name)) result.Add(name);
        }
        return [.. result];
    }
}
