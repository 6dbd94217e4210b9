namespace Strata.Swashbuckle.Tests;

/// <summary>A job type for the endpoints under test.</summary>
public sealed record EchoJob(string Text);
