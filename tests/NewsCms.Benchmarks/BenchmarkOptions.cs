using System.Globalization;

namespace NewsCms.Benchmarks;

/// <summary>The harness's command line.</summary>
public sealed class BenchmarkOptions
{
    public const string Usage = """
        Usage: dotnet run -c Release --project tests/NewsCms.Benchmarks -- [options]

          --articles N[,N...]   scales to seed and measure (default 1000); e.g. 1000,100000 also reports growth
          --driver wrk|builtin  load driver (default wrk); builtin: an HttpClient loop against the app hosted
                                in-process, no publish step, no wrk (the smoke test uses it)
          --duration S          measured seconds per page (default 15)
          --warmup S            warm-up seconds per page before measuring (default 5)
          --connections N       concurrent connections (default 64)
          --soak S              soak seconds at the largest scale, home and article pages (default 60 with wrk, 0 = none)
          --soak-connections N  connections during the soak (default 500)
          --output DIR          results folder (default benchmark-results/<timestamp> in the repository)
          --databases DIR       keep seeded databases here and reuse one of the same size next time
                                (default: a fresh database in the results folder, deleted at the end)
          --probes N            fresh renders timed per page in-process (default 5)
          --provider P[,P]      Sqlite (default), PostgreSQL, or Sqlite,PostgreSQL: both in one run, every scale on each,
                                then seeding, fresh render and search side by side
          --postgres CONN       how to reach PostgreSQL as a role that may create databases (default: the local server
                                over /var/run/postgresql as the current user); each run makes a database of its own
                                (newscms_bench_*) and drops it at the end
          --cluster             instead of the pages above: PostgreSQL and Redis nodes behind nginx, started with
                                deploy/loopback-cluster.sh (1 node, then 2), at the largest --articles; cache-hit and
                                fresh-render throughput through nginx, and publish-to-visible time on node 2 (needs wrk)
          --publishes N         publishes timed in --cluster mode (default 100)
        """;

    public List<int> Articles { get; set; } = [1_000];
    public string Driver { get; set; } = "wrk";
    public double DurationSeconds { get; set; } = 15;
    public double WarmupSeconds { get; set; } = 5;
    public int Connections { get; set; } = 64;
    public double? SoakSeconds { get; set; }
    public int SoakConnections { get; set; } = 500;
    public string? Output { get; set; }
    public string? Databases { get; set; }
    public int Probes { get; set; } = 5;
    public List<string> Providers { get; set; } = [Seeding.BenchDatabase.Sqlite];
    public string PostgresAdmin { get; set; } = $"Host=/var/run/postgresql;Username={Environment.UserName}";
    public bool Cluster { get; set; }
    public int Publishes { get; set; } = 100;

    /// <summary>The arguments as given, for the report's command line.</summary>
    public IReadOnlyList<string> Arguments { get; private set; } = [];

    public bool UsesWrk => Driver == "wrk";
    public double Soak => SoakSeconds ?? (UsesWrk ? 60 : 0);

    /// <summary>Parses the arguments; throws <see cref="ArgumentException"/> with a message naming the bad one.</summary>
    public static BenchmarkOptions Parse(IReadOnlyList<string> args)
    {
        var options = new BenchmarkOptions { Arguments = [.. args] };
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{name} needs a value.");
            switch (name)
            {
                case "--articles":
                    options.Articles = [.. Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                        .Select(v => PositiveInt(name, v.Replace("_", "")))];
                    if (options.Articles.Count == 0) throw new ArgumentException("--articles needs at least one number.");
                    break;
                case "--driver":
                    options.Driver = Value() is "wrk" or "builtin" ? args[i] : throw new ArgumentException("--driver is wrk or builtin.");
                    break;
                case "--duration": options.DurationSeconds = Seconds(name, Value()); break;
                case "--warmup": options.WarmupSeconds = Seconds(name, Value(), allowZero: true); break;
                case "--connections": options.Connections = PositiveInt(name, Value()); break;
                case "--soak": options.SoakSeconds = Seconds(name, Value(), allowZero: true); break;
                case "--soak-connections": options.SoakConnections = PositiveInt(name, Value()); break;
                case "--output": options.Output = Value(); break;
                case "--databases": options.Databases = Value(); break;
                case "--probes": options.Probes = PositiveInt(name, Value()); break;
                case "--provider":
                    options.Providers = [.. Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(p =>
                        p.Equals("sqlite", StringComparison.OrdinalIgnoreCase) ? Seeding.BenchDatabase.Sqlite
                        : p.Equals("postgresql", StringComparison.OrdinalIgnoreCase) ? Seeding.BenchDatabase.PostgreSql
                        : throw new ArgumentException($"--provider: '{p}' is not Sqlite or PostgreSQL.")).Distinct()];
                    if (options.Providers.Count == 0) throw new ArgumentException("--provider needs Sqlite, PostgreSQL or both.");
                    break;
                case "--postgres": options.PostgresAdmin = Value(); break;
                case "--cluster": options.Cluster = true; break;
                case "--publishes": options.Publishes = PositiveInt(name, Value()); break;
                default: throw new ArgumentException($"Unknown option {name}.");
            }
        }
        options.Articles = [.. options.Articles.Distinct().Order()];
        return options;
    }

    private static int PositiveInt(string name, string value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : throw new ArgumentException($"{name}: '{value}' is not a positive whole number.");

    private static double Seconds(string name, string value, bool allowZero = false) =>
        double.TryParse(value.TrimEnd('s'), NumberStyles.Float, CultureInfo.InvariantCulture, out var s) && (s > 0 || (allowZero && s == 0))
            ? s : throw new ArgumentException($"{name}: '{value}' is not a number of seconds.");
}
