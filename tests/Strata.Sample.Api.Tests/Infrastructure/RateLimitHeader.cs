using System.Globalization;
using System.Text.RegularExpressions;

namespace Strata.Sample.Api.Tests.Infrastructure;

/// <summary>Reads the IETF <c>RateLimit</c> / <c>RateLimit-Policy</c> fields: <c>"name";r=42;t=17, ...</c>.</summary>
internal static partial class RateLimitHeader
{
    public static long Value(HttpResponseMessage response, string header, string policy, string parameter)
    {
        response.Headers.TryGetValues(header, out var values).Should().BeTrue($"the response carries {header}");
        var text = string.Join(", ", values!);
        var match = Regex.Match(text, $"\"{Regex.Escape(policy)}\"[^,]*;{parameter}=(\\d+)");
        match.Success.Should().BeTrue($"{header} '{text}' names policy {policy} with {parameter}");
        return long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    public static long Remaining(HttpResponseMessage response, string policy) => Value(response, "RateLimit", policy, "r");

    public static long Quota(HttpResponseMessage response, string policy) => Value(response, "RateLimit-Policy", policy, "q");
}
