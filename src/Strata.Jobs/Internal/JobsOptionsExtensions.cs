using System.Text.RegularExpressions;

namespace Strata.Jobs.Internal;

internal static partial class JobsOptionsExtensions
{
    public static bool IsValidQueueName(string name) => QueueNamePattern().IsMatch(name);

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$", RegexOptions.CultureInvariant)]
    private static partial Regex QueueNamePattern();
}
