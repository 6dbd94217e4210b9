using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Strata.Jobs.Testing;

namespace Strata.Jobs.Tests;

/// <summary>A forgotten <c>AddStrataJobs()</c> or job type registration fails at start-up with a message naming the call to add.</summary>
public sealed class ForgottenRegistrationTests
{
    [Fact]
    public async Task Mapping_endpoints_without_AddJobs_names_AddJobs_and_AddHandler_not_an_internal_type()
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        await using var app = builder.Build();

        var map = () => app.MapJobEndpoints<EchoJob>("/echo");

        map.Should().Throw<InvalidOperationException>()
            .WithMessage("*Call builder.Services.AddStrataJobs().AddHandler<EchoJob, THandler>() (or AddJob<EchoJob>()*) before MapJobEndpoints<EchoJob>()*")
            .Which.Message.Should().NotContain("JobTypeRegistry");
    }

    [Fact]
    public async Task Mapping_endpoints_for_an_unregistered_job_type_names_AddHandler_and_AddJob_for_it()
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Services.AddStrataJobs().AddHandler<EchoJob, EchoHandler>();
        await using var app = builder.Build();

        var map = () => app.MapJobEndpoints<RecordJob>("/records");

        map.Should().Throw<InvalidOperationException>()
            .WithMessage("*RecordJob is not registered; call AddHandler<RecordJob, THandler>() or AddJob<RecordJob>()*AddStrataJobs()*");
    }

    [Fact]
    public async Task Health_check_without_AddJobs_names_AddJobs_not_an_internal_type()
    {
        var services = new ServiceCollection();
        services.AddHealthChecks().AddStrataJobsHealthCheck();
        await using var provider = services.BuildServiceProvider();
        var registration = provider.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations.Single();

        var create = () => registration.Factory(provider);

        create.Should().Throw<InvalidOperationException>()
            .WithMessage("*Call builder.Services.AddStrataJobs()*before using AddStrataJobsHealthCheck()*")
            .Which.Message.Should().NotContain("IJobBackend");
    }

    [Fact]
    public async Task Health_check_with_AddJobs_is_created_and_reports_healthy()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddStrataJobs(o => o.RunWorkers = false).AddHandler<EchoJob, EchoHandler>();
        services.AddHealthChecks().AddStrataJobsHealthCheck();
        await using var provider = services.BuildServiceProvider();

        var report = await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync();

        report.Entries["strata-jobs"].Status.Should().Be(HealthStatus.Healthy);
    }
}
