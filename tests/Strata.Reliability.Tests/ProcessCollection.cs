namespace Strata.Reliability.Tests;

/// <summary>The tests start whole process trees under load: one at a time, so they do not starve each other of CPU.</summary>
[CollectionDefinition(Name)]
public sealed class ProcessCollection
{
    public const string Name = "Sample processes";
}
