// Checks that each NuGet package ships what users need: README, XML docs, and a symbol package beside it.
// Run by .ci/run as a .NET file-based app, so CI needs nothing but the SDK.
// Usage: check-package.cs <directory> [<package id> …] (default: DPoP.Http).
using System.IO.Compression;
using System.Text.RegularExpressions;

var directory = args.Length > 0 ? args[0] : "artifacts";
string[] ids = args.Length > 1 ? args[1..] : ["DPoP.Http"];
var failures = 0;
foreach (var id in ids)
{
    // "DPoP.Http.0.1.0.nupkg" is DPoP.Http's; "DPoP.Http.AspNetCore.0.1.0.nupkg" is not.
    var own = new Regex($"^{Regex.Escape(id)}\\.\\d[^/]*\\.(s?nupkg)$");
    var files = Directory.GetFiles(directory).Select(Path.GetFileName).Where(f => own.IsMatch(f!)).ToList();
    var package = files.SingleOrDefault(f => f!.EndsWith(".nupkg", StringComparison.Ordinal));
    if (package is null)
    {
        Console.Error.WriteLine($"{id}: no package in {directory}");
        failures++;
        continue;
    }

    using var zip = ZipFile.OpenRead(Path.Combine(directory, package));
    var entries = zip.Entries.Select(e => e.FullName).ToHashSet(StringComparer.Ordinal);
    string[] required = ["README.md", $"lib/net10.0/{id}.dll", $"lib/net10.0/{id}.xml"];
    var missing = required.Where(r => !entries.Contains(r)).ToList();
    if (!files.Any(f => f!.EndsWith(".snupkg", StringComparison.Ordinal)))
    {
        missing.Add("symbol package (.snupkg)");
    }

    if (missing.Count > 0)
    {
        Console.Error.WriteLine($"{package} lacks: {string.Join(", ", missing)}");
        failures++;
        continue;
    }

    Console.WriteLine($"{package}: README, XML docs and symbols present.");
}

return failures == 0 ? 0 : 1;
