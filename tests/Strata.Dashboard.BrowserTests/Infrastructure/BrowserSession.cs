using Microsoft.Playwright;

namespace Strata.Dashboard.BrowserTests.Infrastructure;

/// <summary>A browser context and its page; disposing closes the context.</summary>
public sealed class BrowserSession(IBrowserContext context, IPage page) : IAsyncDisposable
{
    public IBrowserContext Context { get; } = context;

    public IPage Page { get; } = page;

    public ValueTask DisposeAsync() => Context.DisposeAsync();
}
