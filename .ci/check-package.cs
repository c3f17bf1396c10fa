// Checks that the NuGet package ships what users need: README, XML docs, and a symbol package beside it.
// Run by .ci/run as a .NET file-based app, so CI needs nothing but the SDK.
using System.IO.Compression;

var directory = args.Length > 0 ? args[0] : "artifacts";
var package = Directory.GetFiles(directory, "DPoP.Http.*.nupkg").Single(p => !p.EndsWith(".snupkg", StringComparison.Ordinal));
using var zip = ZipFile.OpenRead(package);
var entries = zip.Entries.Select(e => e.FullName).ToHashSet(StringComparer.Ordinal);
string[] required = ["README.md", "lib/net10.0/DPoP.Http.dll", "lib/net10.0/DPoP.Http.xml"];
var missing = required.Where(r => !entries.Contains(r)).ToList();
if (Directory.GetFiles(directory, "DPoP.Http.*.snupkg").Length == 0)
{
    missing.Add("symbol package (.snupkg)");
}

if (missing.Count > 0)
{
    Console.Error.WriteLine($"{Path.GetFileName(package)} lacks: {string.Join(", ", missing)}");
    return 1;
}

Console.WriteLine($"{Path.GetFileName(package)}: README, XML docs and symbols present.");
return 0;
