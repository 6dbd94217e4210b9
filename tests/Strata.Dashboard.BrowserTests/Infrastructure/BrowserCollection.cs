namespace Strata.Dashboard.BrowserTests.Infrastructure;

/// <summary>Every browser test shares one sample host and one browser (<see cref="BrowserHost"/>), one test at a time.</summary>
[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserHost>
{
    public const string Name = "browser";
}
