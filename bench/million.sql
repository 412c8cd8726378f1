-- bench/RESULTS-1M.md: 1,000,000 organisations from the 100,000 synthetic ones: nine copies of each, with
-- ids k * 10,000,000 apart and slugs "synth-k<k>-...", their region and focus-area
-- links copied; other records (people, citations, partnerships) are not copied.
SET session_replication_role = replica;  -- triggers off: the token is bumped once below
DO $$
DECLARE
    cols text;
BEGIN
    SELECT string_agg(quote_ident(column_name), ', ' ORDER BY ordinal_position) INTO cols
    FROM information_schema.columns
    WHERE table_name = 'orgs_organisation' AND column_name NOT IN ('id', 'slug', 'search_vector');
    FOR k IN 1..9 LOOP
        EXECUTE format(
            'INSERT INTO orgs_organisation (id, slug, %s) '
            'SELECT id + %s, ''synth-k%s-'' || substr(slug, 7), %s FROM orgs_organisation '
            'WHERE slug LIKE ''synth-%%'' AND id < 10000000',
            cols, k * 10000000, k, cols);
        EXECUTE format(
            'INSERT INTO orgs_organisation_regions (organisation_id, region_id) '
            'SELECT organisation_id + %s, region_id FROM orgs_organisation_regions '
            'WHERE organisation_id IN (SELECT id FROM orgs_organisation WHERE slug LIKE ''synth-%%'' AND id < 10000000)',
            k * 10000000);
        EXECUTE format(
            'INSERT INTO orgs_organisation_focus_areas (organisation_id, focusarea_id) '
            'SELECT organisation_id + %s, focusarea_id FROM orgs_organisation_focus_areas '
            'WHERE organisation_id IN (SELECT id FROM orgs_organisation WHERE slug LIKE ''synth-%%'' AND id < 10000000)',
            k * 10000000);
    END LOOP;
END $$;
SET session_replication_role = origin;
UPDATE orgs_facet_version SET token = token + 1;
UPDATE orgs_page_version SET token = token + 1;
ANALYZE;
SELECT count(*) FROM orgs_organisation WHERE slug LIKE 'synth-%';
