namespace DPoP.Http.Benchmarks;

/// <summary>Inputs shared by the benchmarks, sized like the real thing.</summary>
internal static class BenchmarkData
{
    /// <summary>A JWT-sized access token (about 700 characters, as an authorization server's signed JWT is).</summary>
    public static readonly string AccessToken =
        "eyJhbGciOiJFUzI1NiIsInR5cCI6ImF0K2p3dCJ9." + new string('a', 600) + "." + new string('b', 86);

    /// <summary>A server nonce as authorization servers issue them (RFC 9449 §8: opaque NQCHAR).</summary>
    public const string Nonce = "eyJ7S_zG.eyJH0-Z.HX4w-7v";
}
