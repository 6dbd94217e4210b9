using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Strata.Sample.Api.Security;

namespace Strata.Sample.Api.Tests;

/// <summary>
/// Kestrel's bad-request log quotes the refused header line at Debug (an <c>X-Api-Key</c> line without its colon, key
/// and all): the sample keeps that category at Information or above whatever the configuration says.
/// </summary>
public sealed class KestrelLogSafetyTests
{
    [Theory]
    [InlineData("Logging:LogLevel:Default", "Trace")]
    [InlineData("Logging:LogLevel:Microsoft.AspNetCore.Server.Kestrel.BadRequests", "Debug")]
    [InlineData("Logging:LogLevel:Microsoft.AspNetCore.Server.Kestrel", "Trace")]
    [InlineData("Logging:Capture:LogLevel:Default", "Trace")]
    [InlineData("Logging:Capture:LogLevel:Microsoft.AspNetCore.Server.Kestrel.BadRequests", "Trace")]
    public void Kestrels_bad_request_category_never_logs_below_information(string setting, string level)
    {
        using var factory = LoggerFactoryWith(new() { [setting] = level }, safety: true);
        var badRequests = factory.CreateLogger(KestrelLogSafety.BadRequestsCategory);
        badRequests.IsEnabled(LogLevel.Debug).Should().BeFalse();
        badRequests.IsEnabled(LogLevel.Information).Should().BeTrue();

        // Everything else keeps the configured level.
        factory.CreateLogger("Microsoft.AspNetCore.Server.Kestrel.Connections").IsEnabled(LogLevel.Trace)
            .Should().Be(!setting.EndsWith("BadRequests", StringComparison.Ordinal));
    }

    [Fact]
    public void Without_the_safety_the_same_configuration_logs_bad_requests_at_debug()
    {
        using var factory = LoggerFactoryWith(new() { ["Logging:LogLevel:Default"] = "Trace" }, safety: false);
        factory.CreateLogger(KestrelLogSafety.BadRequestsCategory).IsEnabled(LogLevel.Debug).Should().BeTrue();
    }

    [Fact]
    public void A_configuration_that_already_keeps_the_category_above_information_is_left_as_it_is()
    {
        using var factory = LoggerFactoryWith(new() { ["Logging:LogLevel:Default"] = "Trace", ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning" }, safety: true);
        var badRequests = factory.CreateLogger(KestrelLogSafety.BadRequestsCategory);
        badRequests.IsEnabled(LogLevel.Information).Should().BeFalse();
        badRequests.IsEnabled(LogLevel.Warning).Should().BeTrue();
    }

    private static ILoggerFactory LoggerFactoryWith(Dictionary<string, string?> settings, bool safety)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging(logging =>
        {
            logging.AddConfiguration(configuration.GetSection("Logging"));
            logging.AddProvider(new CaptureProvider());
            if (safety)
            {
                logging.KeepKeysOutOfKestrelLogs();
            }
        });
        var provider = services.BuildServiceProvider();
        return new OwningFactory(provider);
    }

    [ProviderAlias("Capture")]
    private sealed class CaptureProvider : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Nothing();

        public void Dispose()
        {
        }

        private sealed class Nothing : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
            }
        }
    }

    private sealed class OwningFactory(ServiceProvider provider) : ILoggerFactory
    {
        private readonly ILoggerFactory _inner = provider.GetRequiredService<ILoggerFactory>();

        public void AddProvider(ILoggerProvider provider) => _inner.AddProvider(provider);

        public ILogger CreateLogger(string categoryName) => _inner.CreateLogger(categoryName);

        public void Dispose() => provider.Dispose();
    }
}
