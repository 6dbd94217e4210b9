using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Strata.Jobs;

/// <summary>
/// Serializer metadata for reading job bodies at the endpoint that refuses a body missing a required member. A
/// constructor parameter without a default value (<c>record CountWords(string Text)</c>) is required, as are
/// <c>required</c> and <c>[JsonRequired]</c> members; on .NET 9 and later a JSON null in a member whose nullable
/// annotation forbids it is refused too.
/// </summary>
/// <remarks>
/// On .NET 9 and later this is System.Text.Json's own <c>RespectRequiredConstructorParameters</c> and
/// <c>RespectNullableAnnotations</c>. .NET 8 has neither: there a contract modifier marks the properties bound to
/// such constructor parameters as required (<see cref="RequireConstructorParameters"/>), and nullable annotations
/// are not checked. The queue itself reads payloads with the options as configured, so jobs already queued, or
/// enqueued from code, are never refused by this.
/// </remarks>
internal static class StrictJobJson
{
    public static JsonTypeInfo<T> For<T>(JsonTypeInfo<T> typeInfo)
    {
        var options = new JsonSerializerOptions(typeInfo.Options);
#if NET9_0_OR_GREATER
        options.RespectRequiredConstructorParameters = true;
        options.RespectNullableAnnotations = true;
#else
        options.TypeInfoResolver = RequireConstructorParameters(options.TypeInfoResolver ?? new DefaultJsonTypeInfoResolver());
#endif
        options.MakeReadOnly(populateMissingResolver: true);
        return (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T));
    }

    /// <summary>Marks every property bound to a constructor parameter without a default value as required (the .NET 8 path; tested on every runtime).</summary>
    internal static IJsonTypeInfoResolver RequireConstructorParameters(IJsonTypeInfoResolver resolver) =>
        resolver.WithAddedModifier(static info =>
        {
            if (info.Kind != JsonTypeInfoKind.Object || DeserializationConstructor(info.Type) is not { } constructor)
            {
                return;
            }

            foreach (var parameter in constructor.GetParameters())
            {
                if (parameter.HasDefaultValue)
                {
                    continue;
                }

                foreach (var property in info.Properties)
                {
                    // Source-generated metadata on .NET 8 has no member to compare: its JSON name stands in (camelCase by default).
                    var name = (property.AttributeProvider as MemberInfo)?.Name ?? property.Name;
                    if (string.Equals(name, parameter.Name, StringComparison.OrdinalIgnoreCase))
                    {
                        property.IsRequired = true;
                    }
                }
            }
        });

    /// <summary>
    /// The constructor System.Text.Json deserializes with: the one marked [JsonConstructor], else none when there is a
    /// public parameterless one (or the type is a struct), else the only public one.
    /// </summary>
    private static ConstructorInfo? DeserializationConstructor(Type type)
    {
        var constructors = type.GetConstructors(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance);
        var marked = Array.Find(constructors, c => c.IsDefined(typeof(JsonConstructorAttribute), inherit: false));
        if (marked is not null)
        {
            return marked;
        }

        var publicOnes = Array.FindAll(constructors, c => c.IsPublic);
        if (type.IsValueType || Array.Exists(publicOnes, c => c.GetParameters().Length == 0))
        {
            return null;
        }

        return publicOnes.Length == 1 ? publicOnes[0] : null;
    }
}
