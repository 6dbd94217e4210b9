using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Strata.Swashbuckle.Tests;

/// <summary>
/// Each package is built for one Swashbuckle major (Strata.*.Swashbuckle for 10, Strata.*.Swashbuckle11 for 11): on
/// another one it stops at registration naming the package that fits. Compiled into both test projects.
/// </summary>
public sealed class SwashbuckleMajorTests
{
#if SWASHBUCKLE11
    private const int BuiltFor = 11;
    private const int Other = 10;
    private const string OtherSuffix = ".Swashbuckle";
#else
    private const int BuiltFor = 10;
    private const int Other = 11;
    private const string OtherSuffix = ".Swashbuckle11";
#endif

    public static TheoryData<Type, string> Packages => new()
    {
        { typeof(ApiKeySwaggerGenOptionsExtensions), "Strata.ApiKeys" },
        { typeof(RateLimitSwaggerGenOptionsExtensions), "Strata.RateLimiting" },
        { typeof(JobSwaggerGenOptionsExtensions), "Strata.Jobs" },
    };

    [Fact]
    public void The_test_app_runs_the_Swashbuckle_major_the_packages_are_built_for() =>
        typeof(SwaggerGenOptions).Assembly.GetName().Version!.Major.Should().Be(BuiltFor);

    [Theory]
    [MemberData(nameof(Packages))]
    public void On_another_Swashbuckle_major_a_package_refuses_naming_the_package_that_fits(Type extensions, string feature)
    {
        var package = extensions.Assembly.GetName().Name!;

        FluentActions.Invoking(() => Check(extensions, package, BuiltFor)).Should().NotThrow();
        FluentActions.Invoking(() => Check(extensions, package, Other)).Should().Throw<InvalidOperationException>()
            .WithMessage($"{package} is built for Swashbuckle.AspNetCore {BuiltFor}, and this app runs Swashbuckle.AspNetCore {Other}*Take {feature}{OtherSuffix} instead (the same calls)*");
        FluentActions.Invoking(() => Check(extensions, package, 12)).Should().Throw<InvalidOperationException>()
            .WithMessage($"*No {feature} package describes Swashbuckle 12 documents yet*");
    }

    /// <summary>The package's own check (internal, linked into each package), called with the app's major given.</summary>
    private static void Check(Type extensions, string package, int appMajor)
    {
        var check = extensions.Assembly.GetType("Strata.Shared.Swashbuckle.SwashbuckleMajor", throwOnError: true)!
            .GetMethod("EnsureSupported", [typeof(string), typeof(int)])!;
        try
        {
            check.Invoke(null, [package, appMajor]);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            throw e.InnerException;
        }
    }
}
