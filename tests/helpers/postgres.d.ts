export interface TestDatabase {
    url: string;
    drop(): Promise<void>;
}
export declare function createTestDatabase(label?: string): Promise<TestDatabase>;
