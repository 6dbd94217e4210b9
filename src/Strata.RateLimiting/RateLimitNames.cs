namespace Strata.RateLimiting;

/// <summary>Checks policy and rule names: they appear in store keys and in header field values.</summary>
internal static class RateLimitNames
{
    public const int MaximumLength = 64;

    public static bool IsValid(string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > MaximumLength)
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            {
                return false;
            }
        }

        return true;
    }

    public static void ThrowIfInvalid(string? name, string parameterName)
    {
        if (!IsValid(name))
        {
            throw new ArgumentException(
                $"A rate-limit policy or rule name must be 1 to {MaximumLength} characters of ASCII letters, digits, '-', '_' or '.' (it is used in store keys and RateLimit headers), but was {(name is null ? "null" : $"'{name}'")}.",
                parameterName);
        }
    }
}
