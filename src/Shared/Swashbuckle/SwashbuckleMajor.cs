using System.Reflection;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Strata.Shared.Swashbuckle;

/// <summary>
/// Each Strata Swashbuckle package is built for one Swashbuckle.AspNetCore major, since each major brings a
/// Microsoft.OpenApi major whose object model is not binary compatible with the other's: Strata.*.Swashbuckle for 10
/// (Microsoft.OpenApi 2), Strata.*.Swashbuckle11 for 11 (Microsoft.OpenApi 3). On another major the package stops when
/// it is registered, naming the package that fits, instead of its filters failing in the middle of a document with
/// <see cref="MissingMethodException"/>. Restore warns first (NU1608): each package's dependency has an upper bound.
/// </summary>
internal static class SwashbuckleMajor
{
#if SWASHBUCKLE11
    /// <summary>The Swashbuckle.AspNetCore major this assembly is compiled against.</summary>
    public const int BuiltFor = 11;
#else
    /// <summary>The Swashbuckle.AspNetCore major this assembly is compiled against.</summary>
    public const int BuiltFor = 10;
#endif

    /// <summary>Throws when the app's Swashbuckle is not the major <paramref name="package"/> is built for.</summary>
    /// <param name="package">The calling package's assembly, named as its package (<c>Strata.ApiKeys.Swashbuckle11</c>).</param>
    public static void EnsureSupported(Assembly package) =>
        EnsureSupported(package.GetName().Name!, typeof(SwaggerGenOptions).Assembly.GetName().Version?.Major ?? BuiltFor);

    /// <summary>Throws when <paramref name="appMajor"/> is not <see cref="BuiltFor"/>, naming the package for <paramref name="appMajor"/>.</summary>
    public static void EnsureSupported(string package, int appMajor)
    {
        if (appMajor == BuiltFor)
        {
            return;
        }

        var feature = package[..package.LastIndexOf(".Swashbuckle", StringComparison.Ordinal)];
        var fix = appMajor switch
        {
            10 => $"Take {feature}.Swashbuckle instead (the same calls), the package for Swashbuckle 10.",
            11 => $"Take {feature}.Swashbuckle11 instead (the same calls), the package for Swashbuckle 11.",
            _ => $"No {feature} package describes Swashbuckle {appMajor} documents yet: keep Swashbuckle.AspNetCore at {BuiltFor}, or leave the description out.",
        };
        throw new InvalidOperationException(
            $"{package} is built for Swashbuckle.AspNetCore {BuiltFor}, and this app runs Swashbuckle.AspNetCore {appMajor}, whose " +
            $"OpenAPI object model differs. {fix}");
    }
}
