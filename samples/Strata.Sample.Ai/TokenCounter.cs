using Microsoft.ML.Tokenizers;

namespace Strata.Sample.Ai;

/// <summary>
/// Counts tokens with the o200k_base encoding (the GPT-4o family's). The tokenizer is built once per process from the
/// data package and is safe to share between threads; counting is one pass over the text and allocates no id list.
/// </summary>
internal sealed class O200kTokenCounter : ITokenCounter
{
    internal const string EncodingName = "o200k_base";

    private static readonly Lazy<TiktokenTokenizer> SharedTokenizer =
        new(() => TiktokenTokenizer.CreateForEncoding(EncodingName), LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Loads the vocabulary (once per process) so that resolving the counter at start warms it.</summary>
    public O200kTokenCounter() => _ = SharedTokenizer.Value;

    internal static TiktokenTokenizer Tokenizer => SharedTokenizer.Value;

    public int CountTokens(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Length == 0 ? 0 : Tokenizer.CountTokens(text);
    }
}
