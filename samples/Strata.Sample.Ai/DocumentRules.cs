using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Microsoft.Extensions.Options;

namespace Strata.Sample.Ai;

/// <summary>
/// The business rules a document must meet before it is analyzed (or charged for): not empty, not longer than
/// <see cref="AiOptions.MaxTextLength"/> characters. The API checks them first and answers 400 with the message.
/// </summary>
public sealed class DocumentRules
{
    /// <summary>Creates the rules from the options.</summary>
    public DocumentRules(IOptions<AiOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        MaxTextLength = options.Value.MaxTextLength;
    }

    /// <summary>The longest text accepted, in characters.</summary>
    public int MaxTextLength { get; }

    /// <summary>Checks <paramref name="text"/>; on failure <paramref name="error"/> says what is wrong (never quoting the text).</summary>
    /// <returns><see langword="true"/> when the text may be analyzed.</returns>
    public bool TryValidate([NotNullWhen(true)] string? text, [NotNullWhen(false)] out string? error)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "The text must not be empty or whitespace.";
            return false;
        }

        if (text.Length > MaxTextLength)
        {
            error = string.Create(CultureInfo.InvariantCulture,
                $"The text is {text.Length} characters long; at most {MaxTextLength} are accepted.");
            return false;
        }

        error = null;
        return true;
    }

    /// <summary>Throws an <see cref="ArgumentException"/> naming the problem when <paramref name="text"/> may not be analyzed.</summary>
    /// <exception cref="ArgumentException">The text is null, empty, whitespace or too long.</exception>
    public void Validate([NotNull] string? text)
    {
        if (!TryValidate(text, out var error))
        {
            throw new ArgumentException(error, nameof(text));
        }
    }
}
