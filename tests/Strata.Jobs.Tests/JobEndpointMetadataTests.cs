using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Strata.Jobs.Testing;

namespace Strata.Jobs.Tests;

/// <summary>What the job endpoints tell documentation generators: a <see cref="JobEndpointMetadata"/> each, and every status code.</summary>
public sealed class JobEndpointMetadataTests
{
    [Fact]
    public async Task Each_job_endpoint_carries_its_kind_and_submit_its_idempotency_header_and_every_status_it_sends()
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Services.AddSingleton(new JobProbe());
        builder.Services.AddStrataJobs().AddHandler<EchoJob, EchoHandler>();
        await using var app = builder.Build();
        app.MapJobEndpoints<EchoJob>("/v1/echo", o => o.IdempotencyKeyHeader = "X-Request-Id");

        var endpoints = ((IEndpointRouteBuilder)app).DataSources.SelectMany(d => d.Endpoints).ToArray();
        var byKind = endpoints.ToDictionary(e => e.Metadata.GetMetadata<JobEndpointMetadata>()!.Kind);

        byKind.Keys.Should().BeEquivalentTo([JobEndpointKind.Submit, JobEndpointKind.Status, JobEndpointKind.Cancel]);
        byKind[JobEndpointKind.Submit].Metadata.GetMetadata<JobEndpointMetadata>()!.IdempotencyKeyHeader.Should().Be("X-Request-Id");
        byKind[JobEndpointKind.Status].Metadata.GetMetadata<JobEndpointMetadata>()!.IdempotencyKeyHeader.Should().BeNull();
        Statuses(byKind[JobEndpointKind.Submit]).Should().Equal(202, 400, 413, 415, 503);
        Statuses(byKind[JobEndpointKind.Status]).Should().Equal(200, 404, 503);
        Statuses(byKind[JobEndpointKind.Cancel]).Should().Equal(200, 404, 409, 503);
    }

    [Fact]
    public void Metadata_refuses_an_unknown_kind_and_a_blank_header_and_keeps_the_header_for_submit_only()
    {
        FluentActions.Invoking(() => new JobEndpointMetadata((JobEndpointKind)7)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => new JobEndpointMetadata(JobEndpointKind.Submit, " ")).Should().Throw<ArgumentException>();
        new JobEndpointMetadata(JobEndpointKind.Cancel, "Idempotency-Key").IdempotencyKeyHeader.Should().BeNull();
    }

    private static int[] Statuses(Microsoft.AspNetCore.Http.Endpoint endpoint) =>
        [.. endpoint.Metadata.GetOrderedMetadata<IProducesResponseTypeMetadata>().Select(m => m.StatusCode).Distinct().Order()];
}
