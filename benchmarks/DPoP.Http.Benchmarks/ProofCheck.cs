using System.Buffers.Text;
using System.Text.Json;

namespace DPoP.Http.Benchmarks;

/// <summary>
/// Holds the comparison fair: every approach must produce the same proof (same header members and values, same
/// claim names, same htm/htu/ath/nonce). Run once in each benchmark's setup; throws when an approach drifts.
/// </summary>
internal static class ProofCheck
{
    public static void Equivalent(string expected, string actual, string approach)
    {
        var (expectedHeader, expectedPayload) = Decode(expected);
        var (actualHeader, actualPayload) = Decode(actual);
        Compare(expectedHeader, actualHeader, approach, "header", ignoreValuesOf: []);
        Compare(expectedPayload, actualPayload, approach, "payload", ignoreValuesOf: ["jti", "iat"]);
    }

    private static (JsonElement Header, JsonElement Payload) Decode(string jws)
    {
        var parts = jws.Split('.');
        if (parts.Length != 3 || parts[2].Length == 0)
        {
            throw new InvalidOperationException("Not a compact JWS.");
        }

        return (JsonDocument.Parse(Base64Url.DecodeFromChars(parts[0])).RootElement,
                JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1])).RootElement);
    }

    private static void Compare(JsonElement expected, JsonElement actual, string approach, string part, string[] ignoreValuesOf)
    {
        var expectedMembers = expected.EnumerateObject().ToDictionary(p => p.Name, p => p.Value);
        var actualMembers = actual.EnumerateObject().ToDictionary(p => p.Name, p => p.Value);
        if (!expectedMembers.Keys.Order().SequenceEqual(actualMembers.Keys.Order()))
        {
            throw new InvalidOperationException(
                $"{approach}: {part} members [{string.Join(',', actualMembers.Keys)}] differ from DPoP.Http's [{string.Join(',', expectedMembers.Keys)}].");
        }

        foreach (var (name, value) in expectedMembers)
        {
            if (ignoreValuesOf.Contains(name))
            {
                if (actualMembers[name].ValueKind != value.ValueKind)
                {
                    throw new InvalidOperationException($"{approach}: {part} member {name} is a {actualMembers[name].ValueKind}, not a {value.ValueKind}.");
                }

                continue;
            }

            if (!JsonElement.DeepEquals(value, actualMembers[name]))
            {
                throw new InvalidOperationException($"{approach}: {part} member {name} differs from DPoP.Http's.");
            }
        }
    }
}
