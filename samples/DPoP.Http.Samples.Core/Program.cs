// The core API of DPoP.Http without DI: a key, its public JWK and thumbprint, a proof and the request headers.
using System.Text;
using System.Text.Json;
using DPoP.Http;

var algorithm = args.Length > 0 ? args[0] : DPoPAlgorithms.ES256;
using var key = DPoPKey.Generate(algorithm);

Console.WriteLine($"Key:            {key}");
Console.WriteLine($"Public JWK:     {JsonSerializer.Serialize(key.PublicJwk)}");
Console.WriteLine($"dpop_jkt:       {key.JwkThumbprint}");

const string accessToken = "Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU";
var proof = DPoPProof.Create(key, HttpMethod.Get, new Uri("https://resource.example.org/protectedresource?page=2"), accessToken, nonce: "eyJ7S_zG.eyJH0-Z.HX4w-7v");

Console.WriteLine();
Console.WriteLine($"Proof:          {proof}");
var parts = proof.Split('.');
Console.WriteLine($"  header:       {Decode(parts[0])}");
Console.WriteLine($"  payload:      {Decode(parts[1])}");
Console.WriteLine($"ath of token:   {DPoPProof.ComputeAth(accessToken)}");

Console.WriteLine();
Console.WriteLine("Headers:");
foreach (var (name, value) in DPoPHeaders.Build(proof, accessToken))
{
    Console.WriteLine($"  {name}: {value}");
}

static string Decode(string base64Url) => Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(base64Url));
