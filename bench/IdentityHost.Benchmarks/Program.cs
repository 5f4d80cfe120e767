using IdentityHost.Benchmarks;

// Note: scripts/bench.sh parses the "name=value" lines these commands print.
return args switch
{
    ["hash", var serverDirectory, var seconds] => HashBenchmark.Run(serverDirectory, double.Parse(seconds, System.Globalization.CultureInfo.InvariantCulture)),
    ["seed", var serverDirectory, var provider, var connectionString, var from, var to, var password] =>
        await UserSeeder.RunAsync(serverDirectory, provider, connectionString, int.Parse(from, System.Globalization.CultureInfo.InvariantCulture),
            int.Parse(to, System.Globalization.CultureInfo.InvariantCulture), password),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("""
        usage: IdentityHost.Benchmarks hash <server directory> <seconds>
                 Verifies password hashes on every core for that long with the server's hasher settings.
               IdentityHost.Benchmarks seed <server directory> <Sqlite|MySql> <connection string> <from> <to> <password>
                 Inserts users bench<from+1>..bench<to> (role user) straight into a migrated database.
        """);
    return 2;
}
