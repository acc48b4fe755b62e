namespace NewsCms.Web.Features.Demo;

/// <summary>A section of the demo site, in navigation order; <paramref name="Hue"/> tints its illustrations.</summary>
internal sealed record DemoSection(string Name, string Description, float Hue);

/// <summary>A demo byline (no account). <paramref name="Hue"/> colours the avatar's disc.</summary>
internal sealed record DemoAuthor(string Key, string Name, string JobTitle, string Bio, string Website, string Email, float Hue);

/// <summary>
/// A demo article. The body is the editor's HTML; a line <c>{{see-also:key}}</c> becomes a See-also card for the demo
/// article with that key once the articles have their ids.
/// </summary>
internal sealed record DemoArticle(string Key, string Section, double HoursAgo, string[] Authors, string[] Tags,
    string Headline, string Standfirst, string Body, bool Featured = false);

/// <summary>
/// The demo site: the Kestrel Bay Courier, a made-up paper for a made-up harbour town on the estuary of the River Ash.
/// Every name, place and event here is invented.
/// </summary>
internal static class DemoSamples
{
    public const string Title = "The Kestrel Bay Courier";
    public const string Tagline = "News from Kestrel Bay, the Ash estuary and the villages up the valley";
    public const string FooterText = "The Kestrel Bay Courier is a fictional newspaper. Every story, person, place and picture on this demo site was made up to show what NewsCms can do.";
    public const string NewsletterUrl = "https://newsletter.example.org/kestrel-bay-courier";

    public static readonly DemoSection[] Sections =
    [
        new("Local", "Kestrel Bay, Hollins Green, Saltmarsh End and the villages up the Ash valley.", 205),
        new("Politics", "The town council, the district council and the people who want their seats.", 350),
        new("Business", "Jobs, shops, the harbour economy and the companies that started here.", 35),
        new("Sport", "The Gulls, the rowing club, the cricket club and everyone out on the sand.", 130),
        new("Culture", "Theatre, music, books, art and film on the Ashdown coast.", 285),
        new("Science & Environment", "The estuary, its wildlife, its weather and the research done on it.", 165),
    ];

    public static readonly DemoAuthor[] Authors =
    [
        new("maya", "Maya Okonkwo", "Chief reporter",
            "Maya has covered Kestrel Bay for eleven years, from late-night council meetings to flood defences and school gates. Before joining the Courier she produced the breakfast news on a regional radio station.\n\nStory tips are welcome at any hour: https://example.org/tips",
            "https://example.org/maya-okonkwo", "maya.okonkwo@example.org", 18),
        new("owen", "Owen Prydderch", "Politics and business editor",
            "Owen reads council budgets so that readers do not have to. He grew up in Upper Weir, studied economics and spent six years on a business weekly before coming home to the estuary.",
            "https://example.org/owen-prydderch", "owen.prydderch@example.org", 225),
        new("sam", "Sam Whitlock", "Sports reporter",
            "Sam has watched the Gulls home and away for twenty seasons and still rows with the Ash club's veterans on Sunday mornings. Results, fixtures and the occasional complaint about the referee.",
            "https://example.org/sam-whitlock", "sam.whitlock@example.org", 140),
        new("ingrid", "Ingrid Halvorsen", "Arts and culture editor",
            "Ingrid reviews theatre, music and books for the Courier and presents the Lantern Festival's late-night talks. She moved to Kestrel Bay from Bergen for a summer in 2009 and stayed.",
            "https://example.org/ingrid-halvorsen", "ingrid.halvorsen@example.org", 295),
        new("priya", "Priya Raman", "Science and environment correspondent",
            "Priya trained as a marine biologist and spent four years counting seagrass shoots before she started writing about them. She covers the estuary, the weather and the research done along the coast.",
            "https://example.org/priya-raman", "priya.raman@example.org", 170),
    ];

    /// <summary>
    /// The front page the demo arranges: the storm story leads, two top stories are chosen (the cup run only for the
    /// day: "Pinned until" in hours from now), and the other slots fill with the newest stories.
    /// </summary>
    public static readonly (int Position, string Key, double? PinnedForHours)[] FrontPage =
    [
        (0, "storm-ferry", null),
        (1, "budget-vote", null),
        (2, "gulls-cup", 12),
    ];

    public static readonly DemoArticle[] Articles =
    [
        // ----- Local -----
        new("storm-ferry", "Local", 3, ["maya", "priya"], ["Weather", "Transport", "Harbour", "Flooding"],
            "Storm Aldith closes the estuary ferry as gusts reach 70 mph",
            "The Estuary Link ferry is suspended until at least tomorrow morning, the harbour gates are shut and the Drill Hall is open as a rest centre for anyone who needs it.",
            """
            <p>Storm Aldith reached the Ashdown coast shortly before dawn, with gusts of 70 mph recorded at the Fallow Point weather station and waves breaking over the outer harbour wall for the first time since last winter.</p>
            <p>Estuary Link suspended its crossings to Upper Weir at 6am. The operator said the ferry would not sail again until the wind had stayed below 40 mph for at least three hours, which forecasters do not expect before tomorrow morning. Foot passengers are offered a replacement bus over the Ash bridge, which adds about 35 minutes to the journey.</p>
            <h2>What is closed</h2>
            <ul>
            <li>The estuary ferry, until at least tomorrow morning.</li>
            <li>The harbour gates and the whole of the outer quay, to vehicles and to people on foot.</li>
            <li>The Marram Sands promenade between the lifeboat station and the beach huts.</li>
            <li>Kestrel Bay Academy, which told parents last night that it would stay closed for the day.</li>
            </ul>
            <p>The Harbour Trust moved its four working boats into the inner basin yesterday evening. “The forecast gave us a day’s warning and we used all of it,” said harbourmaster Gwen Tallis. “Nobody needs to be on the outer quay today, and I would ask people not to go down there to take pictures.”</p>
            <figure class="embed" data-provider="youtube"><a href="https://www.youtube.com/watch?v=Kb7StormA1x">https://www.youtube.com/watch?v=Kb7StormA1x</a></figure>
            <blockquote><p>We have sandbags at the Drill Hall and at the depot on Mill Lane. If your door has flooded before, collect them now rather than tonight.</p></blockquote>
            <p>That advice came from the town council’s emergency coordinator, Dev Sahota, who said the rest centre would stay open overnight with hot food, phone charging and camp beds. High tide is at 7.42pm, and the surge is expected to add up to 60 centimetres to it.</p>
            <p>The Ash tidal barrier, tested in full by engineers only yesterday, will close two hours before high water. Power cuts were reported in Hollins Green and Saltmarsh End during the morning; the network operator said most homes had been reconnected by noon.</p>
            {{see-also:flood-barrier}}
            """, Featured: true),

        new("library-sundays", "Local", 20, ["maya"], ["Community", "Books", "Town council"],
            "Kestrel Bay library opens on Sundays after volunteers step in",
            "Forty volunteers have signed up to keep the Harbour Street library open from 11am to 4pm every Sunday, starting this weekend.",
            """
            <p>For the first time in its 112-year history, Kestrel Bay library will open its doors on a Sunday this weekend, thanks to a rota of volunteers organised by the Friends of the Library.</p>
            <p>The district council cut the library’s opening hours two years ago, closing it on Mondays and Sundays to save £38,000 a year. Since then the Friends have collected more than 1,200 signatures asking for weekend opening, and in the spring they offered to staff the building themselves.</p>
            <p>“We are not replacing librarians, and we have been very careful about that,” said Anita Corrigan, who chairs the Friends. “A librarian is on duty every Sunday. What the volunteers do is everything around them: the desk, the children’s corner, the coffee, the lost-property box that somehow fills up with umbrellas.”</p>
            <h2>What is on</h2>
            <p>Sunday openings will run from 11am to 4pm. The first one includes a story hour for under-fives at 11.30am, a repair table where volunteers will mend torn books and wobbly reading glasses, and a display of photographs of the harbour from the library’s own archive.</p>
            <blockquote><p>On a Sunday afternoon in January there is nowhere else in town that is warm, free and quiet. That is what a library is for.</p></blockquote>
            <p>The council said it would review the arrangement after six months. Anyone who would like to volunteer can leave their name at the front desk or at the Friends’ stall at the Saturday market.</p>
            """),

        new("bus-route", "Local", 52, ["maya"], ["Transport", "Town council", "Community"],
            "Route 7 bus to Upper Weir saved by a year-long trial",
            "The hourly service that Coastline Buses planned to withdraw will keep running until next autumn, paid for jointly by the town council and the district.",
            """
            <p>Passengers who rely on the Route 7 bus between Kestrel Bay and Upper Weir have been given a reprieve: the service will keep running for at least another year under a trial agreed on Tuesday.</p>
            <p>Coastline Buses had said in the summer that the route lost about £90,000 a year and would end in December. For many of the 2,000 people who live in Upper Weir and the hamlets along the valley road, it is the only public transport there is when the estuary ferry is not sailing.</p>
            <p>Under the trial, the town council and Ashdown District Council will each pay a third of the shortfall, and Coastline will carry the rest. In return the company has agreed to three changes:</p>
            <ol>
            <li>The first bus of the day will leave Upper Weir at 6.40am, early enough for shifts at Ash Valley Hospital.</li>
            <li>Every bus will stop at the hospital’s main entrance rather than on the main road.</li>
            <li>Passenger numbers will be published every month, so that the councils can decide next year on evidence rather than guesswork.</li>
            </ol>
            <p>Margaret Ellery, 81, who has used the route twice a week for thirty years, was at the meeting. “I don’t drive and I never have,” she said. “Without that bus I would be asking my neighbours for lifts to the doctor, and they have their own lives.”</p>
            <p>Coastline’s operations manager, Phil Adeyemi, said the company wanted the route to succeed. “If people use it, it stays. It really is as simple as that.”</p>
            """),

        new("lighthouse-cottages", "Local", 100, ["maya"], ["Harbour", "Tourism", "History", "Fallow Point"],
            "Fallow Point lighthouse cottages to become a heritage centre",
            "The keepers’ cottages, empty since the light was automated in 1989, will tell the story of the people who kept it burning.",
            """
            <p>The row of three keepers’ cottages beneath Fallow Point lighthouse is to be restored and opened to the public as a heritage centre, after the Harbour Trust won a grant of £640,000 this week.</p>
            <p>The cottages have stood empty since 1989, when the light was automated and the last keeper, Alfred Penhallow, moved into town. Their roofs leak, two of the chimneys have fallen in, and gulls have nested in the parlour of the middle cottage for at least a decade.</p>
            <h2>Stories before stones</h2>
            <p>The Trust says the centre will be less about the lighthouse than about the families who lived in its shadow. Volunteers have already recorded interviews with eleven people who grew up on the point, including Mr Penhallow’s daughter, Joan, who is now 78.</p>
            <blockquote><p>We had no electricity until 1961 and we had to row to school when the causeway flooded. I would not have swapped it for anything.</p></blockquote>
            <p>Work is due to start in the spring and to take about eighteen months. One cottage will be furnished as it was in the 1950s; the others will hold an exhibition space, a small café and a room for school visits.</p>
            <p>The path to the point will stay open during the work, although the Trust warns that the car park will be partly closed for deliveries.</p>
            {{see-also:dark-sky}}
            """),

        new("school-gardens", "Local", 150, ["maya"], ["Schools", "Food and drink", "Community"],
            "St Brannoc’s pupils now grow a third of their own school lunches",
            "A vegetable garden started on a spare bit of playing field five years ago now supplies the school kitchen for most of the autumn term.",
            """
            <p>At St Brannoc’s Primary, the carrots in Thursday’s stew were pulled out of the ground by Year 4 on Wednesday afternoon.</p>
            <p>The school’s garden began in 2019 as four raised beds on a corner of the playing field that was too boggy for football. It now covers nearly half an acre, with a polytunnel, a rainwater tank, thirty fruit trees and a compost heap that the caretaker describes as “alive, frankly”.</p>
            <p>Over the autumn term the kitchen weighed everything that came in from the garden. The total came to just over 1.4 tonnes, which the school’s cook, Bernadette Rowe, reckons is about a third of the vegetables and fruit she served between September and Christmas.</p>
            <h2>What grows well by the sea</h2>
            <ul>
            <li>Potatoes, leeks and kale, which shrug off the salt wind.</li>
            <li>Beans and courgettes, in the shelter of the polytunnel.</li>
            <li>Apples, on trees donated by a farm in the valley.</li>
            </ul>
            <p>Head teacher Kwame Osei said the garden had changed how children ate. “A child who has spent six weeks watching a squash grow will at least try the soup,” he said. “That is not a small thing.”</p>
            <p>The school is now helping two other primaries in the district to start gardens of their own, and will open its garden to families on the first Saturday of every month.</p>
            """),

        new("night-clinic", "Local", 205, ["maya"], ["Health", "Community", "Budget"],
            "Late-night clinic at Ash Valley Hospital halves waiting times",
            "A minor-injuries clinic open until midnight has taken pressure off the emergency department in its first three months.",
            """
            <p>A late-night clinic for minor injuries at Ash Valley Hospital has cut average waiting times in its emergency department by half since it opened in the summer, according to figures released on Friday.</p>
            <p>The clinic, staffed by two nurse practitioners and a doctor, runs from 6pm to midnight every day in a converted outpatients wing. It treats sprains, cuts, minor burns and the fish hooks that, staff say, arrive with surprising regularity during the mackerel season.</p>
            <p>Before it opened, patients with minor injuries waited an average of four hours and ten minutes in the evening. Over the past three months that has fallen to just under two hours, and the number of people leaving without being seen has dropped by two-thirds.</p>
            <blockquote><p>Most people who come to us in the evening are not emergencies. They are people who finished work, fell off a ladder and could not get a GP appointment. Now they have somewhere to go.</p></blockquote>
            <p>That was the view of the clinic’s lead nurse, Siobhan Tremayne. The hospital’s board will decide in the new year whether to keep the clinic open permanently, which would cost about £420,000 a year.</p>
            <p>Patients are asked to phone the hospital’s advice line first: it can book them a time at the clinic and spare them a wait in the corridor.</p>
            """),

        // ----- Politics -----
        new("budget-vote", "Politics", 8, ["owen"], ["Town council", "Budget", "Harbour"],
            "Council approves £14m budget with harbour repairs at its heart",
            "Councillors voted 14 to 5 for a budget that spends almost a quarter of the town’s capital money on the outer harbour wall.",
            """
            <p>Kestrel Bay Town Council approved its budget for the coming year last night, after a three-hour debate that was interrupted twice by the lights failing as Storm Aldith’s first gusts arrived.</p>
            <p>The £14.2m budget raises the town’s share of council tax by 2.9 per cent, the equivalent of about £1.10 a month for a typical household. The largest single item is £3.1m towards repairing the outer harbour wall, which engineers warned last year had been undermined along a 90-metre stretch.</p>
            <h2>Where the money goes</h2>
            <ul>
            <li><strong>Harbour wall:</strong> £3.1m this year, the first of three instalments.</li>
            <li><strong>Parks and play areas:</strong> £640,000, of which £120,000 will be allocated by the youth council.</li>
            <li><strong>Route 7 bus trial:</strong> £30,000, the town’s third of the cost.</li>
            <li><strong>Library Sunday opening:</strong> £8,500 for a librarian’s extra hours.</li>
            </ul>
            <p>Opposition councillors argued that the harbour repairs should be paid for by the district council, which owns part of the quay. “We are being asked to fix a wall we only half own,” said Cllr Neil Brackley, who leads the Independent group. “The district should pay its half before we pay ours.”</p>
            <blockquote><p>If we wait for the perfect funding deal, the wall will make the decision for us. I would rather repair it than rebuild it.</p></blockquote>
            <p>That was the mayor, Cllr Rosalind Tapp, closing the debate. The district council’s cabinet is expected to discuss its own contribution next month.</p>
            """),

        new("housing-plan", "Politics", 30, ["owen", "maya"], ["Housing", "Town council", "Flooding"],
            "Saltmarsh End housing plan splits opinion at packed public meeting",
            "More than 300 people came to hear the plans for 240 homes on the old gasworks site, and many of them had questions about the water.",
            """
            <p>The plan to build 240 homes on the former gasworks site at Saltmarsh End drew more than 300 people to St Andrew’s church hall on Monday evening, so many that the doors had to be left open for those standing in the car park.</p>
            <p>The developer, Estuary Homes, says 96 of the homes would be offered at social rent, and that the site would be raised by a metre and a half before any building began. It has promised a new footpath along the creek and a small park on the land nearest the water.</p>
            <h2>For and against</h2>
            <p>Supporters pointed to the town’s housing waiting list, which now stands at 1,150 households. “My daughter is 31 and still in her childhood bedroom,” said one woman, to loud applause. “I want her to be able to live in the town she grew up in.”</p>
            <p>Opponents were less worried about the homes than about the water. Saltmarsh End flooded in 2013 and again in 2020, and several residents asked where the water would go once the site was raised.</p>
            <blockquote><p>If you lift one field by a metre and a half, the sea does not go away. It goes next door. Next door is us.</p></blockquote>
            <p>The developer’s engineer said modelling showed no increase in flood risk for neighbouring streets, and offered to publish the full model. The planning committee is expected to decide in the spring.</p>
            {{see-also:flood-barrier}}
            """),

        new("by-election", "Politics", 76, ["owen"], ["Elections", "Transport", "Town council"],
            "Hollins Green by-election: four candidates, one question about buses",
            "Voters in the ward go to the polls on Thursday week; whoever wins will have to answer for the Route 7 trial.",
            """
            <p>Four candidates are standing in the Hollins Green by-election on Thursday week, called after the death in September of long-serving councillor Doreen Marsh.</p>
            <p>On the doorstep, they all say, one issue comes up more than any other: buses. The ward sits on the Route 7 line, and the year-long trial that saved the service means the new councillor will help decide whether it survives.</p>
            <h2>The candidates</h2>
            <ul>
            <li><strong>Harriet Lowe</strong> (Independent), a retired midwife, who wants the bus trial made permanent.</li>
            <li><strong>Tariq Mahmood</strong> (Coastal Alliance), who runs the hardware shop on Mill Lane and is campaigning for cheaper parking.</li>
            <li><strong>Rhys Penrose</strong> (Green), a teacher at Kestrel Bay Academy, who wants a safe cycle route to the school.</li>
            <li><strong>Gillian Faraday</strong> (Residents First), a former harbour worker, whose priority is the state of the pavements.</li>
            </ul>
            <p>Doreen Marsh held the seat for 22 years, and her majority at the last election was over 600. Turnout in by-elections here is usually low: the last one, in 2017, drew just 24 per cent of voters.</p>
            <p>Polling stations at Hollins Green community centre and St Peter’s school will be open from 7am to 10pm. The count will take place the same night at the Drill Hall, and the Courier will report the result as soon as it is declared.</p>
            {{see-also:bus-route}}
            """),

        new("youth-council", "Politics", 124, ["owen"], ["Town council", "Schools", "Community", "Budget"],
            "Youth council wins the right to spend £120,000 of the parks budget",
            "Eleven teenagers elected by the town’s schools will decide how a fifth of the money for parks and play areas is spent.",
            """
            <p>The town council has agreed to let its youth council decide how £120,000 of next year’s parks budget is spent, after a proposal by its members was passed unanimously on Tuesday.</p>
            <p>The youth council, which has eleven members aged between 13 and 17, was set up in 2021 but until now has only been able to make recommendations. Its chair, Leah Okafor, 16, told councillors that young people were the main users of the town’s parks but were rarely asked what they wanted from them.</p>
            <blockquote><p>Every time a park is redesigned, someone puts in a bench for adults and a swing for toddlers. There is nothing for anyone between eight and eighteen, and then people complain that we hang around the bus shelter.</p></blockquote>
            <p>The youth council will run a survey in all three secondary schools in January. Early ideas include floodlights on the Marram Sands basketball court, a covered shelter with phone charging at Hollins Green park, and a pump track for bikes and scooters on the old bowling green.</p>
            <p>Councillors of all parties welcomed the decision. The youth council will report back on how the money was spent at next year’s budget meeting.</p>
            """),

        new("parking-charges", "Politics", 170, ["owen"], ["Town council", "Small business", "Tourism"],
            "Seafront parking charges shelved after traders’ petition",
            "Plans to charge for parking on the seafront all year round have been dropped, at least for now.",
            """
            <p>Plans to extend seafront parking charges to the winter months have been shelved after more than 2,800 people signed a petition started by traders on the Esplanade.</p>
            <p>The council had hoped to raise about £150,000 a year by charging from October to March, as well as in the summer. Shopkeepers argued that winter visitors were mostly local people, and that a charge would simply send them to the out-of-town supermarket instead.</p>
            <p>“In February, the person parking outside my shop is buying a birthday card and a pint of milk,” said Carol Venning, who runs the newsagent at the end of the Esplanade. “Charge them two pounds for the privilege and they will go somewhere with a free car park.”</p>
            <p>The council’s finance committee voted on Thursday not to go ahead with the charges this year, but asked officers to look at other options, including a free first hour and a resident’s permit.</p>
            <p>Councillor Tom Hathaway, who chairs the committee, said the money would have to be found elsewhere. “Nobody likes paying to park,” he said. “But the seafront does not sweep itself.”</p>
            """),

        new("mayor-interview", "Politics", 228, ["owen"], ["Town council", "Climate", "Flooding", "Harbour"],
            "Mayor Rosalind Tapp: ‘We cannot out-build the sea, we have to live with it’",
            "Halfway through her term, the mayor talks about flood defences, housing and why she still cycles to the town hall in the rain.",
            """
            <p>Rosalind Tapp arrives at the café on the quay by bicycle, in a waterproof that has seen better decades. She has been mayor of Kestrel Bay for eighteen months, and a councillor for nine years before that.</p>
            <p>She is clear about the biggest question facing the town. “For a hundred years we built walls and assumed the sea would stay behind them,” she says. “The sea has other ideas. We cannot out-build it. We have to learn to live with it.”</p>
            <h2>Walls, barriers and marshes</h2>
            <p>In practice, she says, that means three things: keeping the harbour wall and the tidal barrier in good repair, letting some low-lying fields at the edge of town flood naturally, and making sure that new homes are built where the water is not.</p>
            <p>That last point puts her at odds with some in her own group, who see the Saltmarsh End development as the town’s best chance of tackling its housing list. She chooses her words carefully. “I want those homes built,” she says. “I also want to be certain that the people who live in them, and their neighbours, will still be dry in fifty years.”</p>
            <blockquote><p>I grew up on Mill Lane. I remember the water coming up through the floorboards in 1978 and my mother putting the family photographs on top of the wardrobe, because it was the highest place in the house.</p></blockquote>
            <p>And the bicycle? “It is faster than the car in town, it costs nothing to park, and it stops anyone thinking I am grand,” she says. “Nobody can be grand in this coat.”</p>
            """),

        // ----- Business -----
        new("boatyard-apprentices", "Business", 14, ["owen"], ["Jobs", "Harbour", "Small business"],
            "Haverford’s Boatyard hires twelve apprentices as electric ferry orders arrive",
            "The 150-year-old yard has orders for three battery-powered ferries and needs people who can weld, wire and think.",
            """
            <p>Haverford’s Boatyard, which has built and repaired boats on the Kestrel Bay quay since 1874, is taking on twelve apprentices this winter, the largest intake in its history.</p>
            <p>The yard has won orders for three battery-electric passenger ferries, one for the Estuary Link crossing and two for operators further along the coast. Each will carry 60 passengers and charge from the quay in the twenty minutes it takes to turn round.</p>
            <p>Managing director Ruth Haverford, the fifth generation of her family to run the yard, said the work needed a mix of old and new skills. “We still need shipwrights and welders,” she said. “But we also need electricians who understand batteries, and people who are happy to write software for a boat. That is new for us.”</p>
            <h2>How the apprenticeships work</h2>
            <ul>
            <li>Four years, paid from the first day, with one day a week at the college in the district town.</li>
            <li>Open to anyone over 16, with no upper age limit: two of this year’s intake are over 40.</li>
            <li>A guaranteed job interview at the end for everyone who completes the course.</li>
            </ul>
            <blockquote><p>My grandfather worked here, and my dad. I thought I would be the one who left. Turns out I was just waiting for them to start building electric boats.</p></blockquote>
            <p>That was Callum Reed, 19, one of the new apprentices. The first of the new ferries is due to be launched in the autumn, when the yard has promised an open day.</p>
            {{see-also:budget-vote}}
            """),

        new("creamery", "Business", 44, ["owen"], ["Food and drink", "Small business", "Jobs"],
            "Tidewater Creamery’s sea-salt ice cream goes nationwide",
            "A dairy started in a cowshed above Upper Weir has signed a deal to supply supermarkets across the country.",
            """
            <p>Tidewater Creamery, which started making ice cream in a converted cowshed above Upper Weir seven years ago, has signed a deal to supply its sea-salt caramel flavour to 400 supermarkets across the country.</p>
            <p>The company was founded by sisters Nell and Fran Ashworth, whose family has farmed in the Ash valley since the 1930s. They began selling ice cream from a van on Marram Sands in the summer of 2018, using milk from their own herd of 80 cows and salt harvested from pans on the estuary.</p>
            <p>The deal means the creamery will treble its production and take on fifteen more staff, most of them in a new building next to the milking parlour. Planning permission was granted last month.</p>
            <blockquote><p>We said yes on one condition: the milk still comes from the valley. We would rather sell less than sell something we didn’t make.</p></blockquote>
            <p>Nell Ashworth said five neighbouring farms had agreed to supply milk. The creamery will keep its van on the sands every summer, and its original flavours will remain on sale only in Kestrel Bay.</p>
            """),

        new("market-quay", "Business", 90, ["maya"], ["Small business", "Food and drink", "Harbour", "Community"],
            "Saturday market doubles in size after moving to the quay",
            "Thirty-eight stalls now trade every weekend, and the waiting list for a pitch is longer than the market was a year ago.",
            """
            <p>A year after it moved from the car park behind the town hall to the quay, Kestrel Bay’s Saturday market has doubled in size, with 38 stalls trading every weekend and a waiting list of 25 more.</p>
            <p>The move was controversial at the time. Some traders worried that the quay was too exposed to the weather and too far from the shops. The council agreed to a six-month trial, and the market has not looked back.</p>
            <h2>What you will find</h2>
            <p>Fish landed that morning by the harbour’s own boats, bread from three bakeries, cheese from the valley, second-hand books, honey, hand-thrown pottery and, since the spring, a stall that repairs bicycles while you shop.</p>
            <p>“The quay is where the town started,” said Jenny Pascoe, who runs the market for the council. “People come for the view and stay for the smoked mackerel. The only thing we cannot control is the wind, and the traders have learned to weigh everything down.”</p>
            <p>Shops on Harbour Street report busier Saturdays too. The market opens from 8am to 2pm every Saturday, and on the last Friday evening of each month in the summer.</p>
            """),

        new("wrenlight", "Business", 140, ["owen", "priya"], ["Jobs", "Research", "River Ash"],
            "Wrenlight, the river-sensor start-up, raises £2.1m and stays in town",
            "The company behind the sensors that measure the River Ash has turned down offers to move to a city.",
            """
            <p>Wrenlight, a Kestrel Bay company that makes small, cheap sensors for measuring rivers, has raised £2.1m from investors, and says it will stay in the town that inspired it.</p>
            <p>The company was founded three years ago by Dr Ama Boateng, an engineer at the Ashdown Institute of Marine Science, and Joe Kettle, a former harbour pilot. Their sensors are about the size of a fist, run for two years on a battery and report water temperature, depth and salinity every ten minutes.</p>
            <p>Forty of them are already installed along the River Ash, where they have helped researchers map how the river is warming. The company has also sold them to river trusts and water companies in five countries.</p>
            <blockquote><p>Every investor asked us when we were moving to a city. We kept pointing out of the window. The product is tested in that river. Why would we leave it?</p></blockquote>
            <p>The money will pay for twelve new jobs and a small factory in a former chandlery on the quay. Dr Boateng said the company would prefer to recruit locally and would offer paid placements to students from Kestrel Bay Academy.</p>
            {{see-also:river-sensors}}
            """),

        new("visitor-numbers", "Business", 185, ["owen"], ["Tourism", "Small business", "Jobs"],
            "Visitor numbers beat records, but stays are getting shorter",
            "More people came to Kestrel Bay this summer than in any year on record, but fewer of them stayed the night.",
            """
            <p>Kestrel Bay welcomed an estimated 412,000 visitors between Easter and the end of September, more than in any year since records began, according to figures published by the district council on Monday.</p>
            <p>But the numbers hide a change that worries hotels and guest houses. The average stay fell from 3.4 nights to 2.7, and the number of day trips rose by almost a fifth. Visitors are coming more often, but leaving sooner.</p>
            <h2>Why it matters</h2>
            <p>A day visitor spends an average of £34 in the town, the council estimates, while a visitor who stays the night spends £118. The difference goes to hotels, restaurants and the small businesses that depend on them through the winter.</p>
            <ul>
            <li>Hotel occupancy fell from 81 to 76 per cent in August.</li>
            <li>Cafés and attractions had their best summer on record.</li>
            <li>The seafront car parks were full on 34 days, compared with 19 last year.</li>
            </ul>
            <p>Lorna Bright, who chairs the Kestrel Bay Hospitality Association, said the town needed more reasons to stay. “People love a day here,” she said. “We need to give them a reason to stay for dinner and see the sunset.”</p>
            """),

        new("brewery-bread", "Business", 232, ["maya"], ["Food and drink", "Community", "Small business"],
            "Brannoc Brewing turns spent grain into bread for the food bank",
            "Every week the brewery’s leftover barley becomes 200 loaves, baked overnight by volunteers.",
            """
            <p>Every Thursday night, while the town sleeps, four volunteers bake 200 loaves of bread in the ovens of Pengelly’s bakery on Mill Lane, with barley from Brannoc Brewing next door. By Friday morning they are on the shelves of the Kestrel Bay food bank.</p>
            <p>The bread is made with spent grain, the barley left over after brewing, which the brewery used to give to a farmer for pig feed. Head brewer Tamsin Quick had the idea after reading about bakeries that used it to add flavour and fibre to their loaves.</p>
            <p>“We make about 300 kilos of spent grain a week,” she said. “The pigs were happy, but it seemed a waste of something people could eat.”</p>
            <blockquote><p>It is proper bread. Nutty and dense, with a good crust. People ask for it by name now.</p></blockquote>
            <p>The food bank’s coordinator, David Amankwah, said demand had risen by a third in a year, and fresh bread was one of the things it could rarely offer. The brewery pays for the flour, and Pengelly’s lends its ovens on Thursday nights, when they would otherwise be cooling.</p>
            """),

        // ----- Sport -----
        new("gulls-cup", "Sport", 5, ["sam"], ["Football", "Kestrel Bay FC", "Community"],
            "Gulls reach the county cup final with a stoppage-time header",
            "Kestrel Bay FC came from behind to beat Orford Vale 2–1 in front of a record crowd at Harbour Road.",
            """
            <p>Kestrel Bay FC are in the county cup final for the first time in 31 years after a stoppage-time header from captain Danny Pryor sank Orford Vale 2–1 at Harbour Road on Saturday.</p>
            <p>The Gulls had trailed since the 23rd minute, when Vale’s striker Lewis Cade turned in a low cross at the near post. They looked short of ideas for most of the first half, and manager Kerry Mullins made two changes at the interval.</p>
            <h2>The comeback</h2>
            <p>Both substitutes were involved in the equaliser. Winger Ifeanyi Obi beat two men on the left and crossed for Jack Thorne, who had been on the pitch for four minutes, to volley in off the bar on 68 minutes.</p>
            <p>The winner came in the third minute of added time. Obi’s corner was flicked on at the near post and Pryor, unmarked at the back, headed in from six yards. The 1,400 fans, the club’s biggest crowd since the ground was rebuilt, spilled on to the pitch at the final whistle.</p>
            <blockquote><p>I have waited my whole career for a night like that. I didn’t even see it go in. I just heard the noise.</p></blockquote>
            <p>The final will be played at the county ground in April. The club says it will put on coaches for supporters, and tickets will go on sale at the clubhouse next week.</p>
            {{see-also:new-stand}}
            """),

        new("regatta", "Sport", 40, ["sam"], ["Rowing", "River Ash", "Lifeboat"],
            "Ash Rowing Club’s women’s eight win the estuary regatta for a fourth year",
            "A crew with an average age of 44 beat the university boat by a length and a half on a choppy estuary.",
            """
            <aside class="key-points"><ul><li><p>Ash Rowing Club’s women’s eight won the Estuary Regatta for a fourth year running.</p></li><li><p>They beat the university crew by a length and a half in a southerly chop.</p></li><li><p>The 96th regatta raised £4,200 for the lifeboat station.</p></li></ul></aside>
            <p>The Ash Rowing Club’s women’s eight won the Estuary Regatta for the fourth year in a row on Sunday, beating a university crew half their age by a length and a half over the 2,000-metre course.</p>
            <p>Conditions were difficult. A stiff southerly wind against the ebbing tide kicked up a short, steep chop in the middle of the course, and two crews in the earlier heats were swamped and had to be towed to the bank.</p>
            <p>The Ash crew, whose average age is 44, took an early lead and held it. “We row on this water every week, in every weather,” said stroke Hannah Kowalski. “The students had never seen it like that. We had, lots of times.”</p>
            <aside class="pull-quote"><p>The students had never seen it like that. We had, lots of times.</p></aside>
            <h2>Results</h2>
            <table><tbody><tr><th><p>Place</p></th><th><p>Crew</p></th><th><p>Time</p></th><th><p>Margin</p></th></tr><tr><td><p>1</p></td><td><p>Ash Rowing Club</p></td><td><p>7:12</p></td><td><p>–</p></td></tr><tr><td><p>2</p></td><td><p>Coastal University Boat Club</p></td><td><p>7:17</p></td><td><p>1½ lengths</p></td></tr><tr><td><p>3</p></td><td><p>Upper Weir Amateur Rowing Club</p></td><td><p>7:31</p></td><td><p>4 lengths</p></td></tr></tbody></table>
            {{gallery}}
            <aside class="fact-box"><h2 class="fact-box__title">The Estuary Regatta</h2><ul><li><p>First rowed in 1929; this was the 96th.</p></li><li><p>Course: 2,000 metres from Upper Weir to the quay.</p></li><li><p>Ash Rowing Club has won the women’s eights six times.</p></li></ul></aside>
            <p>The club’s men’s four finished second in their race, and its junior squad won three of its five events. The regatta, now in its 96th year, raised £4,200 for the lifeboat station.</p>
            """),

        new("parkrun", "Sport", 65, ["sam"], ["Running", "Community", "Health"],
            "Marram Sands parkrun marks its 500th run with a record field",
            "Six hundred and twelve runners, walkers and one very determined spaniel took part in the celebration on the sands.",
            """
            <p>A record 612 runners and walkers took part in the 500th Marram Sands parkrun on Saturday morning, on a course that, as ever, depended on the tide.</p>
            <p>The free, timed 5km run has taken place every Saturday at 9am since it was started in 2014 by Sue Garland, a PE teacher who wanted “something to get people out of bed in January”. It follows the sands from the lifeboat station to the rocks at Gull Point and back, or the dunes path when the tide is in.</p>
            <p>The fastest runner on Saturday was 17-year-old Maddie Chen, in 17 minutes 48 seconds, but the volunteers who organise the event are keener on the other end of the results. The oldest participant was Fred Hollis, 89, who walked the course with his granddaughter in 58 minutes.</p>
            <blockquote><p>It doesn’t matter how fast you go. It matters that you came. Half the people here on Saturday had never run a step before they started coming.</p></blockquote>
            <p>The event relies on about 25 volunteers every week, as marshals, timekeepers and, in the words of one, “the person who stands at the turn and tells you you are nearly there when you are not”. New volunteers are always welcome.</p>
            """),

        new("new-stand", "Sport", 110, ["sam", "owen"], ["Football", "Kestrel Bay FC", "Town council"],
            "New stand at Harbour Road will shelter 800 fans from the sea wind",
            "Kestrel Bay FC’s ground is getting its first covered stand in sixty years, paid for by a grant and a great many raffle tickets.",
            """
            <p>Work has started on a covered stand at Harbour Road, home of Kestrel Bay FC, which will give 800 supporters a roof over their heads for the first time since the old wooden stand was demolished in 1964.</p>
            <p>For six decades, fans have watched from open terraces exposed to the wind off the estuary. “We have the coldest ground in the county, and we are quite proud of it,” said club secretary Alan Beatty. “But we would like to be proud of it with a roof on.”</p>
            <h2>Who is paying</h2>
            <p>The £780,000 stand is funded by a national grant of £500,000, £150,000 from the town council and £130,000 raised by supporters over five years through raffles, sponsored walks and a calendar featuring the first team that sold out twice.</p>
            <p>The stand will also house new changing rooms for the club’s girls’ and women’s teams, which currently change in a portable cabin behind the goal.</p>
            <p>The club hopes the stand will be ready for the first game of next season. Until then, the clubhouse end will be closed, and supporters are asked to use the turnstiles on Quay Lane.</p>
            """),

        new("womens-cricket", "Sport", 160, ["sam"], ["Cricket", "Community", "Schools"],
            "Kestrel Bay Cricket Club fields its first women’s team in sixty years",
            "A taster session that was expected to attract a dozen players drew forty.",
            """
            <p>Kestrel Bay Cricket Club will field a women’s team next season for the first time since 1965, after a taster session in the summer drew four times as many players as expected.</p>
            <p>The club had hoped that a dozen women might come to its first open session in June. Forty did, ranging in age from 16 to 67, and around thirty have trained every week since, first on the outfield and, since October, in the sports hall at Kestrel Bay Academy.</p>
            <p>Captain Priti Desai, who played at university and then did not pick up a bat for fifteen years, said most of the squad had never played before. “Some of them are naturals. Some of them are still working out which end of the bat to hold. All of them are having the time of their lives.”</p>
            <blockquote><p>The last women’s team folded because nobody would give them a fixture. That will not happen this time: we have eleven matches arranged already.</p></blockquote>
            <p>The team will play in the county’s development league, starting in May. The club has also started a girls’ section for players aged 9 to 15.</p>
            """),

        new("winter-swim", "Sport", 215, ["sam"], ["Health", "Harbour", "Community", "Weather", "Lifeboat"],
            "Winter swimmers raise £18,000 for the lifeboat station",
            "Ninety swimmers braved a sea of 9°C on a grey Sunday morning, with the lifeboat crew keeping watch.",
            """
            <p>Ninety swimmers took to the water off Marram Sands on Sunday morning for the annual Winter Dip, raising more than £18,000 for the Kestrel Bay lifeboat station.</p>
            <p>The sea temperature was 9°C, the air not much warmer, and a fine drizzle blew in from the estuary as the swimmers, many in fancy dress, ran into the waves at 10am. Most were out again within five minutes; a hardy few swam out to the marker buoy and back.</p>
            <p>The event was started in 1998 by the late Jim Penrose, a lifeboat volunteer for forty years. His son, Mark, now the station’s coxswain, watched from the lifeboat with the crew on standby.</p>
            <h2>Staying safe in cold water</h2>
            <ul>
            <li>Never swim alone, and tell someone on shore where you are going.</li>
            <li>Get in slowly and let your breathing settle before you swim.</li>
            <li>Stay close to the shore, and get out before you feel cold.</li>
            <li>Warm up gradually afterwards: layers and a hot drink, not a hot shower.</li>
            </ul>
            <p>The money raised will go towards new drysuits for the crew, who launched 47 times last year.</p>
            """),

        // ----- Culture -----
        new("festival-lineup", "Culture", 11, ["ingrid"], ["Festival", "Music", "Theatre"],
            "Lantern Festival announces its biggest line-up yet",
            "Ten days of music, theatre and talks in July, with a new stage on the quay and more free events than ever.",
            """
            <p>The Lantern Festival has announced its biggest programme in its 22-year history, with more than 140 events over ten days in July and, for the first time, a stage on the quay.</p>
            <p>The festival began in 2003 as a weekend of folk music in the back room of the Anchor Inn. It now fills the Lantern Theatre, three churches, the library, the lifeboat station and, on its final night, the whole of the harbour, when hundreds of paper lanterns are carried down Harbour Street to the water.</p>
            <h2>Highlights</h2>
            <ul>
            <li>A new production of <em>The Drowned Bells</em>, the town’s own play, staged on the quay at low tide.</li>
            <li>An all-night concert in St Andrew’s church for the shortest night of the festival.</li>
            <li>A series of late-night talks on the sea, hosted in the lifeboat station.</li>
            <li>A free family day on Marram Sands, with sandcastle building judged by the lifeboat crew.</li>
            </ul>
            <p>Festival director Orla Beck said that just over half the events would be free. “The festival belongs to the town,” she said. “Anyone should be able to walk in off the street and hear something that makes the hair on their arms stand up.”</p>
            <blockquote><p>We have kept the lantern procession exactly as it was. Some things do not need improving.</p></blockquote>
            <p>Tickets for paid events go on sale on the first of March. Residents of the district can book a week earlier.</p>
            """),

        new("tideline-review", "Culture", 34, ["ingrid"], ["Theatre", "History", "Fallow Point"],
            "Review: ‘The Tideline’ at the Lantern Theatre is a quiet triumph",
            "A two-hander about a lighthouse keeper and his daughter manages to be both very funny and almost unbearably sad.",
            """
            <p>There is a moment halfway through <em>The Tideline</em> when the lighthouse keeper, Tom, stops polishing the great brass lens and simply looks at his daughter. Nothing is said. The audience at the Lantern Theatre, some 200 of us, held its breath.</p>
            <p>Written by Kestrel Bay playwright Gethin Rowe and inspired by the stories collected from families at Fallow Point, the play follows a keeper and his teenage daughter through the last winter before the light is automated. He cannot imagine leaving. She cannot imagine staying.</p>
            <p>Ray Addo is superb as Tom, all gruff routine and hidden tenderness, and Chloe Brennan gives the daughter a fierce, funny impatience that makes her final speech all the more devastating. The set, a single circular room that slowly turns through the evening, is a small marvel.</p>
            <blockquote><p>You keep the light for ships you will never see, Dad. Who keeps it for you?</p></blockquote>
            <p>If there is a fault, it is a slightly hurried ending, as if the play were afraid of its own sadness. But this is a rare, generous piece of theatre, and it deserves a life beyond the Lantern.</p>
            <p><strong>The Tideline</strong> is at the Lantern Theatre until Saturday 14th. Running time 1 hour 40 minutes, without an interval.</p>
            """),

        new("net-loft-mural", "Culture", 82, ["ingrid"], ["Art", "Harbour", "Community"],
            "A 40-metre mural of the estuary goes up on the old net lofts",
            "Three artists and a hundred schoolchildren are painting the river from source to sea on the wall of the harbour’s oldest building.",
            """
            <p>The long, blank wall of the old net lofts on the quay is disappearing under paint. By Christmas it will hold a 40-metre mural of the River Ash, from its source on the moor to the lighthouse at Fallow Point.</p>
            <p>The mural is the work of three artists, Yasmin Kerr, Ollie Tamblyn and Ruth Okeke, with help from more than a hundred pupils from the town’s primary schools, who designed the creatures that swim, fly and crawl along its length.</p>
            <p>“Every child got to choose one animal that lives on the river,” said Kerr. “We have otters, kingfishers, eels, a very large crab and one dinosaur, which we have decided lives at the source, where nobody goes.”</p>
            <h2>A building with a past</h2>
            <p>The net lofts were built in 1820 for the herring fleet, whose nets were hung to dry on the upper floor. The building has been empty since the 1990s, and the Harbour Trust hopes to turn it into studios for artists and makers.</p>
            <p>The mural is funded by the festival and the Trust, and the paint was donated by a merchant on Mill Lane. Visitors are welcome to watch the artists at work at weekends.</p>
            """),

        new("fishermens-choir", "Culture", 130, ["ingrid"], ["Music", "Community", "Harbour"],
            "The fishermen’s choir records its first album in a church with no heating",
            "Twenty-six voices, one very cold building and a hundred years of songs from the harbour.",
            """
            <p>The Kestrel Bay Fishermen’s Choir has recorded its first album, after 41 years of singing in pubs, churches and, on one memorable occasion, the deck of a trawler in a gale.</p>
            <p>The recording took place over three days in St Brannoc’s church, chosen for its acoustics rather than its comfort. “The heating broke in 1987 and nobody has ever fixed it,” said choir master Huw Jenkins. “You can hear the cold on some of the tracks. We think that adds something.”</p>
            <p>The album has fourteen songs, most of them collected from fishing families along the coast. Some have never been recorded before: the choir learned three of them from a 93-year-old former net-mender, Elsie Tonkin, who sang them from memory.</p>
            <blockquote><p>These songs were made to be sung by men who were tired and cold and far from home. A church with no heating is exactly the right place for them.</p></blockquote>
            <p>The choir has 26 members. Only four are still fishermen, and three are women, who joined in 2015 after what Jenkins describes as “a long and overdue conversation”. The album will be launched with a concert at the Lantern Theatre next month.</p>
            """),

        new("book-prize", "Culture", 178, ["ingrid"], ["Books", "Flooding", "History"],
            "Local author’s novel about the 1953 flood shortlisted for a national prize",
            "Mariam Lowther’s ‘The Night the Water Came’ follows three families through a single night on Saltmarsh End.",
            """
            <p>A novel about the night the sea broke into Saltmarsh End in 1953 has been shortlisted for one of the country’s best-known fiction prizes.</p>
            <p><em>The Night the Water Came</em>, the second book by Kestrel Bay author Mariam Lowther, tells the story of three families on a single street over the twelve hours of the great flood. It was published in the spring by a small independent press and has sold more than 30,000 copies, much of that by word of mouth.</p>
            <p>Lowther, who teaches English at Kestrel Bay Academy, spent four years researching the book, reading newspaper reports and recording the memories of survivors, some of whom were children at the time.</p>
            <blockquote><p>I kept hearing the same thing: that nobody talked about it afterwards. People cleaned their houses and went back to work. I wanted to write the conversation they never had.</p></blockquote>
            <p>The winner will be announced in London next month. The library has ordered extra copies, and there is already a waiting list.</p>
            {{see-also:mayor-interview}}
            """),

        new("regal-cinema", "Culture", 238, ["ingrid", "maya"], ["Community", "Art", "History"],
            "The Regal reopens as a community cinema after fifteen dark years",
            "Volunteers have restored the 1930s picture house on Harbour Street and will show films four nights a week.",
            """
            <p>The lights are back on at the Regal. The 1930s picture house on Harbour Street, closed since 2009, reopened on Friday night as a community cinema, with a sold-out screening and a standing ovation for the volunteers who brought it back.</p>
            <p>The building was bought three years ago by a community benefit society formed by residents, who raised £310,000 by selling shares at £50 each. More than 2,000 people, most of them from the town, became shareholders.</p>
            <h2>From leaking roof to new screen</h2>
            <p>Volunteers spent two years clearing pigeons, repairing the roof, restoring the Art Deco plasterwork and fitting a new screen and projector. The original seats, which turned out to be in better condition than anyone expected, were cleaned and re-covered.</p>
            <p>“People told us we were mad,” said the society’s chair, Bill Okoro. “They were right, but it turns out that a town full of mad people can get quite a lot done.”</p>
            <p>The Regal will show films from Thursday to Sunday, with a mix of new releases, classics and a monthly silent film with live piano. Tickets are £7, and £4 for under-18s.</p>
            """),

        // ----- Science & Environment -----
        new("flood-barrier", "Science & Environment", 26, ["priya"], ["Flooding", "Climate", "River Ash"],
            "Engineers put the Ash tidal barrier through its paces before the surge season",
            "The barrier’s four steel gates closed in eleven minutes during a full test, two minutes faster than its design requires.",
            """
            <p>Engineers closed all four gates of the Ash tidal barrier this week in the annual full test before the winter surge season, and reported that the 30-year-old structure is in good health.</p>
            <p>The barrier, which spans the river just upstream of the town, protects about 3,400 homes and businesses in Kestrel Bay and Saltmarsh End from tidal flooding. It is closed when a storm surge coincides with a high tide, on average five times a year, though it was closed eleven times last winter.</p>
            <h2>How the test works</h2>
            <ol>
            <li>At low tide, divers inspect the sills where the gates meet the riverbed.</li>
            <li>Each gate is lowered and raised on its own, then all four together.</li>
            <li>The closure is timed against the design standard of thirteen minutes.</li>
            <li>The gates are left closed over a high tide, and any leakage is measured.</li>
            </ol>
            <p>This year the gates closed in eleven minutes and leaked less than at any test in the past decade, following the replacement of their rubber seals in the summer.</p>
            <blockquote><p>The barrier is only as good as its worst day. We test it so that its worst day is a quiet afternoon with nobody watching, not a winter night with the town behind it.</p></blockquote>
            <p>Senior engineer Dr Femi Lawal said that rising sea levels meant the barrier would be closed more often in future. The district council has commissioned a study of how long it can protect the town, due to report next year.</p>
            """),

        new("seagrass", "Science & Environment", 58, ["priya"], ["Wildlife", "Research", "Climate"],
            "Seagrass meadow in the bay has doubled in five years, survey finds",
            "The underwater meadow off Marram Sands now covers 48 hectares, and it is storing carbon and sheltering young fish.",
            """
            <p>The seagrass meadow in Kestrel Bay has more than doubled in size in five years, according to a survey by the Ashdown Institute of Marine Science published this week.</p>
            <p>Seagrass is a flowering plant that grows in shallow, sheltered water. Its meadows shelter young fish, seahorses and cuttlefish, calm the waves that reach the shore and store carbon in the sediment beneath them, faster per hectare than most forests on land.</p>
            <p>Divers and drones mapped the meadow off Marram Sands this summer and found that it covers 48 hectares, up from 21 hectares in the last full survey. The researchers credit a voluntary no-anchoring zone agreed with local boat owners in 2019, and the replanting of seeds collected by volunteers.</p>
            <h2>What the survey found</h2>
            <ul>
            <li>Shoot density has risen by a third in the oldest part of the meadow.</li>
            <li>Twelve species of fish were recorded using it as a nursery, including young bass and pollack.</li>
            <li>Two short-snouted seahorses were seen, the first in the bay for a decade.</li>
            </ul>
            <blockquote><p>Five years ago we were worried we would lose it. Now it is one of the healthiest meadows on this coast. That is what happens when people decide to look after something.</p></blockquote>
            <p>The institute will run seed-collecting days for volunteers next summer; no diving experience is needed.</p>
            """),

        new("river-sensors", "Science & Environment", 96, ["priya"], ["Research", "River Ash", "Climate"],
            "Low-cost sensors show where the River Ash runs warmest",
            "Forty sensors along the river have found stretches that are up to four degrees warmer than the rest, and trout avoid them.",
            """
            <p>A network of forty low-cost sensors along the River Ash has produced the most detailed picture yet of how the river warms in summer, and it shows that some stretches are much hotter than others.</p>
            <p>The sensors, made by the Kestrel Bay company Wrenlight, measured the water temperature every ten minutes from May to September. The warmest stretches, up to four degrees warmer than the river average, were where trees along the bank had been cleared for fields or footpaths.</p>
            <p>That matters for fish. Brown trout and salmon need cool water, and in the hottest weeks of the summer they were found almost entirely in the shaded reaches, according to a parallel survey by the river trust.</p>
            <blockquote><p>Shade is the cheapest air conditioning a river can get. Plant trees on the bank and within ten years you can knock two or three degrees off the hottest days.</p></blockquote>
            <p>The river trust has identified six kilometres of bank where tree planting would help the most, and landowners along four of them have already agreed. Volunteers will plant the first 2,000 trees in February.</p>
            {{see-also:wrenlight}}
            """),

        new("seal-pups", "Science & Environment", 145, ["priya"], ["Wildlife", "Research", "Fallow Point"],
            "A record 41 grey seal pups counted at Fallow Point",
            "The colony below the lighthouse has grown every year for a decade; wardens ask walkers to keep their distance.",
            """
            <p>Wardens at Fallow Point have counted 41 grey seal pups on the beaches below the lighthouse this autumn, the highest number since records began and more than twice the count of ten years ago.</p>
            <p>Grey seals give birth between September and December, hauling out on quiet beaches where the pups spend their first three weeks on land, feeding on some of the richest milk in the animal kingdom. A pup can triple its weight in that time.</p>
            <p>The colony’s growth is a sign of a healthy sea, said warden Ellie Marsh, but it also brings problems. Pups that are disturbed by people or dogs can be abandoned by their mothers, and several were seen this year with injuries from discarded fishing line.</p>
            <h2>How to watch seals without harming them</h2>
            <ul>
            <li>Watch from the cliff path, never from the beach.</li>
            <li>Keep dogs on a lead near the point between September and December.</li>
            <li>If a seal looks at you, you are too close: move away quietly.</li>
            <li>Never try to return a pup to the sea. Call the wardens instead.</li>
            </ul>
            <p>The wardens will run guided seal walks every Sunday until the end of December, starting at the lighthouse car park at 10am.</p>
            """),

        new("warmest-summer", "Science & Environment", 195, ["priya"], ["Weather", "Climate", "Research", "Fallow Point"],
            "This summer was the warmest on record at Fallow Point",
            "The weather station below the lighthouse recorded an average of 18.9°C from June to August, beating a record set only two years ago.",
            """
            <p>This summer was the warmest on record on the Ashdown coast, according to figures from the weather station at Fallow Point, which has recorded temperatures every day since 1884.</p>
            <p>The average temperature from June to August was 18.9°C, beating the previous record of 18.4°C, set only two summers ago. Seven of the ten warmest summers at the station have now come in the past twenty years.</p>
            <h2>The summer in numbers</h2>
            <ul>
            <li>Highest temperature: 31.2°C on 19 July, a record for the station.</li>
            <li>Nights when the temperature stayed above 18°C: 12, compared with an average of 2.</li>
            <li>Rainfall: 96 mm, about 60 per cent of the average.</li>
            <li>Sea temperature in the bay peaked at 20.4°C in late August.</li>
            </ul>
            <p>The station is run by volunteers from the Ashdown Institute of Marine Science, who still read a mercury thermometer every morning at 9am alongside the automatic sensors. “We keep the old method going so the long record stays comparable,” said volunteer Colin Yeo, who has taken the reading for 26 years.</p>
            <blockquote><p>One hot summer is weather. A record that keeps being broken is climate. You only see the difference if somebody writes it down every day for 140 years.</p></blockquote>
            """),

        new("dark-sky", "Science & Environment", 222, ["priya", "ingrid"], ["Research", "Tourism", "Community", "Fallow Point"],
            "Ashdown coast bids to become a dark-sky reserve",
            "Astronomers and residents want official protection for some of the darkest skies in the south of the country.",
            """
            <p>On a clear night at Fallow Point, the Milky Way stretches from the lighthouse to the moor. Now a group of astronomers, residents and councillors wants that view protected, with a bid to make the Ashdown coast an international dark-sky reserve.</p>
            <p>Measurements taken over the past two years by the Kestrel Bay Astronomical Society show that the sky above the point and the upper valley is darker than almost anywhere else in the region. The town itself is brighter, but the society says simple changes could make a big difference.</p>
            <h2>What a reserve would mean</h2>
            <p>Reserve status would not switch off the streetlights. It would mean that new lighting points downwards, is no brighter than it needs to be and uses warmer colours, which are kinder to wildlife as well as to astronomers. The district council has already agreed to follow those rules when it replaces streetlights next year.</p>
            <blockquote><p>Most children in this country have never seen the Milky Way. Ours can see it from the school field. That is worth protecting.</p></blockquote>
            <p>The society holds free stargazing evenings at the lighthouse car park on the first Friday of every month, weather permitting. Telescopes are provided; warm clothes are not.</p>
            """),
    ];
}
