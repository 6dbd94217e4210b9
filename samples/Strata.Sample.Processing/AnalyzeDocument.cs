namespace Strata.Sample.Processing;

/// <summary>The job payload of <c>POST /v1/jobs</c>: a document to analyze in the background.</summary>
public sealed record AnalyzeDocument(string Text);
