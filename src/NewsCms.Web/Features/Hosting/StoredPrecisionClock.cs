namespace NewsCms.Web.Features.Hosting;

/// <summary>
/// The system clock at the precision the databases keep (PostgreSQL stores microseconds, .NET ticks are a tenth of
/// that): a time the app stamps and returns is exactly the time it reads back later, on either provider.
/// </summary>
public sealed class StoredPrecisionClock : TimeProvider
{
    public override DateTimeOffset GetUtcNow()
    {
        var now = TimeProvider.System.GetUtcNow();
        return now.AddTicks(-(now.Ticks % TimeSpan.TicksPerMicrosecond));
    }
}
