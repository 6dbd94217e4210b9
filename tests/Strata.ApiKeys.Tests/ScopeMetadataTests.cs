using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Strata.ApiKeys.Tests;

/// <summary>The scopes an endpoint requires are readable from its metadata, for documentation generators.</summary>
public sealed class ScopeMetadataTests
{
    [Fact]
    public async Task RequireScope_leaves_the_scopes_readable_through_IApiKeyScopeMetadata_without_duplicates()
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Services.AddAuthorization();
        await using var app = builder.Build();
        app.MapGet("/jobs", () => "ok").RequireScope("jobs:write", "jobs:read", "jobs:write");
        app.MapGet("/open", () => "ok");

        var endpoints = ((IEndpointRouteBuilder)app).DataSources.SelectMany(d => d.Endpoints).ToDictionary(e => e.DisplayName!);

        var scopes = endpoints.Values.Single(e => e.DisplayName!.Contains("/jobs", StringComparison.Ordinal)).Metadata
            .OfType<AuthorizationPolicy>().SelectMany(p => p.Requirements).OfType<IApiKeyScopeMetadata>().Single();
        scopes.Scopes.Should().Equal("jobs:write", "jobs:read");
        endpoints.Values.Single(e => e.DisplayName!.Contains("/open", StringComparison.Ordinal)).Metadata
            .OfType<AuthorizationPolicy>().Should().BeEmpty();
    }
}
