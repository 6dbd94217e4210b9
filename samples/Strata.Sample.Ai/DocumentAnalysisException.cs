namespace Strata.Sample.Ai;

/// <summary>
/// The model failed or answered something that is not an analysis. The message names the problem; it never
/// carries the document, the model's reply or the API key.
/// </summary>
public sealed class DocumentAnalysisException : Exception
{
    /// <summary>Creates the exception.</summary>
    public DocumentAnalysisException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public DocumentAnalysisException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the exception that caused it.</summary>
    public DocumentAnalysisException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
