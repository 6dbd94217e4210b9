namespace Strata.Sample.Ai.Tests;

internal static class SampleTexts
{
    // Six sentences; "redis" is the most frequent content word (4 times), "cache" next (3 times).
    public const string Release = """
        Redis keeps the rate limits of every node in one place. The weather was mild on the day of the release.
        A cache in front of Redis answers most reads, and the cache is refreshed when Redis publishes a change.
        Lunch was served at noon. The team measured the cache under load and found the latency excellent.
        Nobody mentioned the parking lot.
        """;
}
